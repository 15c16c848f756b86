export * from './outbox-relay';
export * from './stream-loss';
export * from './stream-guard';
