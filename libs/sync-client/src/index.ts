export * from './messages';
export * from './backoff';
export * from './queue-store';
export * from './offline-queue';
export * from './sync-client';
