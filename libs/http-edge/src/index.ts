export * from './bootstrap';
export * from './error-filter';
export * from './validation';
export * from './storable-input';
