export * from './schema';
export * from './errors';
export * from './event-store';
export * from './outbox-relay';
export * from './notify-after-commit';
export * from './database-unavailable';
export * from './stream-loss';
export * from './stream-guard';
