export * from './jwt';
export * from './password';
export * from './auth.guard';
export * from './revoked-tokens';
