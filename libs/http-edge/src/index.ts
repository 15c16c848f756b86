export * from './bootstrap';
export * from './error-filter';
export * from './validation';
