export * from './harness';
export * from './private-postgres';
