import type { OpenAPIObject, OperationObject, PathItemObject, SchemaObject } from '@nestjs/swagger';

const REF = '#/components/schemas/';

export interface ServiceDocument {
  service: string;
  /** Undefined when the service did not answer: the merged document says so rather than failing whole. */
  doc?: OpenAPIObject;
}

/**
 * One document for the one origin: the gateway's own routes plus every
 * service's `/api` routes (their `/health` and `/metrics` are not reachable
 * through the gateway). A schema name two services use for different shapes
 * is renamed `<service>.<name>` in the second, with its references; an
 * operation id another service already uses (every service has an
 * `OpsController_pipeline`) becomes `<service>_<id>`, as OpenAPI requires ids unique.
 */
export function mergeOpenApi(gateway: OpenAPIObject, services: ServiceDocument[]): OpenAPIObject {
  const schemas: Record<string, SchemaObject> = { ...(gateway.components?.schemas as Record<string, SchemaObject>) };
  const paths = { ...gateway.paths };
  const unavailable: string[] = [];
  const operationIds = new Set(Object.values(paths).flatMap((item) => operationsOf(item).map(([, op]) => op.operationId)));
  for (const { service, doc } of services) {
    if (!doc) {
      unavailable.push(service);
      continue;
    }
    const renamed = new Map<string, string>();
    for (const [name, schema] of Object.entries((doc.components?.schemas ?? {}) as Record<string, SchemaObject>)) {
      if (schemas[name] !== undefined && !sameJson(schemas[name], schema)) renamed.set(name, `${service}.${name}`);
    }
    const own = renamed.size ? (renameRefs(doc, renamed) as OpenAPIObject) : doc;
    for (const [name, schema] of Object.entries((own.components?.schemas ?? {}) as Record<string, SchemaObject>)) schemas[renamed.get(name) ?? name] ??= schema;
    for (const [path, item] of Object.entries(own.paths)) if (path === '/api' || path.startsWith('/api/')) paths[path] = withUniqueIds(item, service, operationIds);
  }
  const sorted = Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b)));
  return {
    ...gateway,
    info: {
      title: 'Ripple API',
      version: gateway.info.version,
      description: 'Every service behind the one origin. Events and the realtime messages: /api/asyncapi.json.' + (unavailable.length ? ` Not reachable while this was built: ${unavailable.join(', ')}.` : ''),
    },
    paths: sorted,
    components: { ...gateway.components, schemas },
    ...(unavailable.length ? { 'x-ripple-unavailable': unavailable } : {}),
  };
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'] as const;

const operationsOf = (item: PathItemObject) => METHODS.flatMap((m) => (item[m] ? [[m, item[m]] as const] : []));

function withUniqueIds(item: PathItemObject, service: string, used: Set<string | undefined>): PathItemObject {
  const out: PathItemObject = { ...item };
  for (const [method, op] of operationsOf(item)) {
    const id = op.operationId && used.has(op.operationId) ? `${service}_${op.operationId}` : op.operationId;
    used.add(id);
    out[method] = { ...op, operationId: id } as OperationObject;
  }
  return out;
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function renameRefs(node: unknown, renamed: Map<string, string>): unknown {
  if (Array.isArray(node)) return node.map((n) => renameRefs(n, renamed));
  if (typeof node !== 'object' || node === null) return node;
  return Object.fromEntries(
    Object.entries(node).map(([k, v]) => {
      if (k === '$ref' && typeof v === 'string' && v.startsWith(REF)) return [k, REF + (renamed.get(v.slice(REF.length)) ?? v.slice(REF.length))];
      return [k, renameRefs(v, renamed)];
    }),
  );
}
