export * from './service-vars';
export * from './runtime';
export * from './runtime.module';
export * from './run-service';
export * from './dead-letters.controller';
export * from './cli';
export * from './pipeline-report';
