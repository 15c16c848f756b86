export * from './config';
export * from './common-vars';
export * from './byte-size';
