export const SERVICES = ['profiles', 'venues'] as const;
export type ServiceName = (typeof SERVICES)[number];
export type Upstreams = Record<ServiceName, string>;

/** Public path prefixes and the service that owns each. */
const OWNED_PREFIXES: ReadonlyArray<readonly [string, ServiceName]> = [
  ['/api/users', 'profiles'],
  ['/api/auth', 'profiles'],
  ['/api/venues', 'venues'],
  ['/api/galleras', 'venues'],
];

const OPS = /^\/api\/ops\/([^/]+)(?:\/|$)/;

// Whole segments only, so `/api/usersx` is not mistaken for `/api/users`.
const under = (pathname: string, prefix: string) => pathname === prefix || pathname.startsWith(`${prefix}/`);

export const isApiPath = (pathname: string) => under(pathname, '/api');

/** The service that serves a path; `/api/ops/<service>/...` goes to that service unchanged. */
export function routeFor(pathname: string): ServiceName | undefined {
  for (const [prefix, service] of OWNED_PREFIXES) if (under(pathname, prefix)) return service;
  const ops = OPS.exec(pathname)?.[1];
  return SERVICES.find((s) => s === ops);
}
