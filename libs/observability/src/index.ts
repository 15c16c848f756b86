export * from './context';
export * from './json-logger';
export * from './metrics';
export * from './http-metrics';
export * from './health';
export * from './observability.module';
