export interface RequestTarget {
  pathname: string;
  /** The raw query string with its `?`, or '' */
  search: string;
}

/**
 * The path with dot segments resolved, so the route chosen here and the path the
 * upstream sees agree (`/api/users/../ops/x` is routed as `/api/ops/x`). The query
 * is kept byte for byte. Only origin-form targets (`/...`) are accepted.
 */
export function requestTarget(raw: string): RequestTarget | undefined {
  if (!raw.startsWith('/')) return undefined;
  const q = raw.indexOf('?');
  const rawPath = q < 0 ? raw : raw.slice(0, q);
  try {
    // A fixed origin in front keeps `//host/x` a path instead of a scheme-relative URL.
    return { pathname: new URL(`http://gateway${rawPath}`).pathname, search: q < 0 ? '' : raw.slice(q) };
  } catch {
    return undefined;
  }
}

export interface UpstreamTarget {
  protocol: string;
  hostname: string;
  port: string;
  path: string;
}

/** Where to send a request: the configured base URL (which may carry a path prefix) plus the request's path and raw query. */
export function upstreamTarget(base: string, pathAndQuery: string): UpstreamTarget {
  const url = new URL(base);
  return {
    protocol: url.protocol,
    hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port,
    path: `${url.pathname.replace(/\/+$/, '')}${pathAndQuery}`,
  };
}
