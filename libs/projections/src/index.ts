export * from './projection';
export * from './batch-plan';
export * from './schema';
export * from './apply-batch';
export * from './batch-transaction';
export * from './dead-letters';
export * from './projection-runner';
export * from './replay';
