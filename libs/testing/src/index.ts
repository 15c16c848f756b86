export * from './harness';
export * from './private-postgres';
export * from './decider-spec';
export * from './lease-holders';
export * from './private-nats';
