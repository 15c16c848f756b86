export * from './messages.js';
export * from './errors.js';
export * from './backoff.js';
export * from './queue-store.js';
export * from './offline-queue.js';
export * from './sync-client.js';
