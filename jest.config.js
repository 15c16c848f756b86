// Tests run from TypeScript sources through @swc/jest; `npm test` builds first so
// end-to-end tests can start the compiled apps as real processes.
const swc = JSON.parse(require('fs').readFileSync(__dirname + '/.swcrc', 'utf8'));
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts', '**/*.int-spec.ts', '**/test/e2e/**/*.e2e-spec.ts', '**/test/faults/**/*.fault-spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest', { ...swc, swcrc: false }] },
  // @nestjs and the path-to-regexp of Fastify's middleware engine ship ESM, which Node's require(esm) loads and Jest's runtime does not.
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs/|@fastify/middie/node_modules/path-to-regexp/|path-to-regexp/))'],
  moduleNameMapper: {
    '^@ripple/([a-z-]+)$': '<rootDir>/libs/$1/src/index.ts',
    '^@ripple/sync-client/react$': '<rootDir>/libs/sync-client/src/react/index.ts',
    // ESM-ready sources import './x.js' (the sync client's ESM build needs it); here that is './x.ts'.
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testTimeout: 60000,
};
