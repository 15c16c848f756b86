// Ripple's layer rules, checked by `npm run check:layers` (a step of `npm test`, so CI fails on a violation).
// Libraries are imported by their package name (`@ripple/<lib>`), which resolves to the lib's built entry.

/** Bottom to top: a lib may import only libs of a lower layer, so the library graph runs one way. */
const LIB_LAYERS = [
  ['contracts', 'errors'],
  ['config', 'auth', 'observability', 'testing', 'sync-client'],
  ['messaging'],
  ['event-store'],
  ['projections', 'relay', 'http-edge'],
  ['service-host'],
];
const TEST_FILE = '(\\.(spec|int-spec|e2e-spec|fault-spec)\\.tsx?$)|^test/';
const PUBLIC_ENTRY = [
  '^libs/[^/]+/(dist|esm)/index\\.(js|d\\.ts)$',
  // The SDK's React hooks are its one second entry (react is an optional peer dependency).
  '^libs/sync-client/(dist|esm)/react/index\\.(js|d\\.ts)$',
];

const layerRules = LIB_LAYERS.flatMap((layer, i) =>
  layer.map((lib) => ({
    name: `lib-layers-${lib}`,
    comment: `libs/${lib} may import only libs below its layer: ${LIB_LAYERS.slice(0, i).flat().join(', ') || 'none'}`,
    severity: 'error',
    from: { path: `^libs/${lib}/`, pathNot: TEST_FILE },
    to: { path: '^libs/', pathNot: `^libs/(${[lib, ...LIB_LAYERS.slice(0, i).flat()].join('|')})/` },
  })),
);

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'apps-never-import-apps',
      comment: 'apps talk only through events (libs/contracts), never through each other\'s code',
      severity: 'error',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'libs-never-import-apps',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^(apps|test)/' },
    },
    {
      name: 'contracts-depend-on-nothing',
      comment: 'libs/contracts imports no other lib and one package: TypeBox, the schema library its contracts are written in (Node built-ins aside)',
      severity: 'error',
      from: { path: '^libs/contracts/', pathNot: TEST_FILE },
      to: { pathNot: ['^libs/contracts/', '^node_modules/@sinclair/typebox/'], dependencyTypesNot: ['core'] },
    },
    ...layerRules,
    {
      name: 'testing-only-in-tests',
      comment: 'libs/testing is for tests; product code never imports it',
      severity: 'error',
      from: { path: '^(apps|libs)/', pathNot: [TEST_FILE, '^libs/testing/'] },
      to: { path: '^libs/testing/' },
    },
    {
      name: 'one-public-entry-per-lib',
      comment: 'a lib is imported by its package name (@ripple/<lib>), never by a path into it',
      severity: 'error',
      from: { path: '^libs/([^/]+)/' },
      to: { path: '^libs/', pathNot: ['^libs/$1/', ...PUBLIC_ENTRY] },
    },
    {
      name: 'one-public-entry-per-lib',
      severity: 'error',
      from: { pathNot: '^libs/' },
      to: { path: '^libs/', pathNot: PUBLIC_ENTRY },
    },
    {
      name: 'no-unresolvable',
      comment: 'an import that resolves to nothing (run npm run build first: libs resolve to their built entry)',
      severity: 'error',
      // The bench, per-process-cost.js, after-lull.js, gateway-proxy-cost.js and http-edge-cost.js compile the bench (into test/bench/dist) when they run (./compile).
      from: { pathNot: '^test/bench/(run|per-process-cost|after-lull|gateway-proxy-cost|http-edge-cost)\\.js$' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: ['node_modules', '^(apps|libs|test)/.*/(dist|esm)/'] },
    exclude: { path: '^apps/console/dist/|^test/bench/dist/' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['require', 'import', 'node', 'default', 'types'] },
  },
};
