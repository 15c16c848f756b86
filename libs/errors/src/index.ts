export * from './ripple-error';
export * from './version-conflict.error';
