export const SERVICES = ['profiles', 'venues', 'pets', 'connectors'] as const;
export type ServiceName = (typeof SERVICES)[number];
export type Upstreams = Record<ServiceName, string>;

/** Public path prefixes and the service that owns each. */
export const OWNED_PREFIXES: ReadonlyArray<readonly [string, ServiceName]> = [
  ['/api/users', 'profiles'],
  ['/api/auth', 'profiles'],
  ['/api/venues', 'venues'],
  ['/api/galleras', 'venues'],
  ['/api/pets', 'pets'],
  ['/api/veterinarians', 'pets'],
  ['/api/health-records', 'pets'],
  ['/api/lost-pets', 'pets'],
  ['/api/user-events', 'pets'],
  ['/api/connectors', 'connectors'],
  ['/api/catalog', 'connectors'],
  ['/api/internal/orchestrate-sync', 'connectors'],
  ['/api/adserver', 'connectors'],
  // Broadstreet sync (document 004): before the `/api/sync` → pets entry, which takes the rest of /api/sync.
  ...['all', 'local-all', 'runs', 'networks', 'advertisers', 'zones', 'advertisements', 'campaigns', 'placements'].map((p) => [`/api/sync/${p}`, 'connectors'] as const),
  // The gateway serves its own realtime paths (GATEWAY_PATHS); the rest of /api/sync is the pets service's sync log.
  ['/api/sync', 'pets'],
];

/** Paths the gateway answers itself: its realtime feed, its API documents and its own operations. */
export const GATEWAY_PATHS: ReadonlySet<string> = new Set(['/api/sync/events', '/api/sync/ticket', '/api/sync/changes', '/api/sync/ws', '/api/openapi.json', '/api/asyncapi.json', '/api/docs', '/api/admin/pipeline']);

/** The browsable API page and its assets. */
export const DOCS_PREFIX = '/api/docs';

const OPS = /^\/api\/ops\/([^/]+)(?:\/|$)/;

// Whole segments only, so `/api/usersx` is not mistaken for `/api/users`.
const under = (pathname: string, prefix: string) => pathname === prefix || pathname.startsWith(`${prefix}/`);

export const isApiPath = (pathname: string) => under(pathname, '/api');

export const isGatewayPath = (pathname: string) => GATEWAY_PATHS.has(pathname) || under(pathname, '/api/ops/gateway') || under(pathname, DOCS_PREFIX);

/** The service that serves a path; `/api/ops/<service>/...` goes to that service unchanged. */
export function routeFor(pathname: string): ServiceName | undefined {
  return ownerOf(pathname)?.service;
}

/** The route-table entry a path matched: its pattern (the metrics' `route` label) and its service. */
export function ownerOf(pathname: string): { pattern: string; service: ServiceName } | undefined {
  for (const [prefix, service] of OWNED_PREFIXES) if (under(pathname, prefix)) return { pattern: `${prefix}/*`, service };
  const ops = OPS.exec(pathname)?.[1];
  const service = SERVICES.find((s) => s === ops);
  return service && { pattern: `/api/ops/${service}/*`, service };
}
