export * from './bootstrap';
export * from './error-filter';
export * from './validation';
export * from './storable-input';
export * from './openapi/openapi-document';
export * from './openapi/error-responses';
export * from './json-body';
export * from './response';
