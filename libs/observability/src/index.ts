export * from './context';
export * from './json-logger';
export * from './metrics';
export * from './http-metrics';
export * from './http-tracing';
export * from './tracing';
export * from './health';
export * from './observability.module';
