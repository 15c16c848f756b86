export * from './schema';
export * from './errors';
export * from './event-store';
export * from './notify-after-commit';
export * from './database-unavailable';
export * from './listener';
export * from './lease-key';
export * from './leader-lease';
