// Segments of characters URL parsing leaves as they are (no dot, no `%`, no backslash, none empty):
// such a path is already what `new URL` would make of it, so most requests skip the parse.
const PLAIN_PATH = /^(?:\/[\w\-~:@!$&'()*+,;=]+)+\/?$/;

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
  if (PLAIN_PATH.test(rawPath)) return { pathname: rawPath, search: q < 0 ? '' : raw.slice(q) };
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
  let parsed = parsedBases.get(base);
  if (!parsed) {
    const url = new URL(base);
    parsed = { protocol: url.protocol, hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: url.port, prefix: url.pathname.replace(/\/+$/, '') };
    parsedBases.set(base, parsed);
  }
  return { protocol: parsed.protocol, hostname: parsed.hostname, port: parsed.port, path: `${parsed.prefix}${pathAndQuery}` };
}

/** The few configured upstream base URLs, each parsed once. */
const parsedBases = new Map<string, Omit<UpstreamTarget, 'path'> & { prefix: string }>();
