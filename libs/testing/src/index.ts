export * from './harness';
export * from './private-postgres';
export * from './decider-spec';
export * from './private-nats';
