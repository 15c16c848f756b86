import type { INestApplication } from '@nestjs/common';
import type { OpenAPIObject, OperationObject, ParameterObject, SchemaObject } from '@nestjs/swagger';
import { referencedSchemas, schemasFromValidators } from './dto-schemas';
import { ERROR_SCHEMA, SUCCESS_SCHEMA, errorResponses } from './error-responses';
import { exampleOf } from './example-of';
import { handlerFacts, operationIdOf, type HandlerFacts } from './handler-facts';

/** The path where every app serves its own document (the gateway serves the merged one under /api). */
export const OPENAPI_PATH = '/openapi.json';
export const BEARER_SCHEME = 'bearer';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/**
 * An app's OpenAPI 3 document, from its controllers (routes, parameters) and its
 * DTOs' class-validator decorators (bodies), with the bearer scheme on guarded
 * routes, the error answers every route can give, and an example per body.
 * Operations carry `x-ripple-service`, so a merged document says who serves what.
 */
export async function buildOpenApiDocument(app: INestApplication, service: string): Promise<OpenAPIObject> {
  // Loaded when a document is first asked for, not at boot (about 100 ms per app): few requests ever need it.
  const { DocumentBuilder, SwaggerModule } = await import('@nestjs/swagger');
  const config = new DocumentBuilder()
    .setTitle(`Ripple ${service}`)
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'POST /api/auth/login → data.token' }, BEARER_SCHEME)
    .build();
  const doc = SwaggerModule.createDocument(app, config, { operationIdFactory: operationIdOf });
  const facts = handlerFacts(app);
  const validators = schemasFromValidators();
  const schemas: Record<string, SchemaObject> = { ...(doc.components?.schemas as Record<string, SchemaObject>) };
  for (const name of Object.keys(schemas)) if (validators[name]) schemas[name] = validators[name];
  for (const name of referencedSchemas(schemas, validators)) schemas[name] ??= validators[name];
  schemas.Error = ERROR_SCHEMA;
  schemas.Success = SUCCESS_SCHEMA;
  doc.components = { ...doc.components, schemas };

  // Query and path DTOs are spelled out as parameters, not kept as schemas: look them up among all DTOs.
  const dtos = { ...validators, ...schemas };
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (op) describeOperation(op, path, service, facts.get(op.operationId ?? '') ?? { bearer: false }, dtos);
    }
  }
  return doc;
}

function describeOperation(op: OperationObject, path: string, service: string, facts: HandlerFacts, schemas: Record<string, SchemaObject>): void {
  const { bearer } = facts;
  const body = op.requestBody && 'content' in op.requestBody ? op.requestBody.content['application/json'] : undefined;
  if (body?.schema && body.example === undefined) body.example = exampleOf(body.schema as SchemaObject, schemas);
  op.parameters = parametersOf(op.parameters as ParameterObject[] | undefined, path, facts, schemas);
  const successes = Object.keys(op.responses).filter((s) => s.startsWith('2'));
  for (const status of successes) {
    op.responses[status] = { description: 'Success', content: { 'application/json': { schema: { $ref: '#/components/schemas/Success' } } } };
  }
  op.responses = { ...op.responses, ...errorResponses({ body: body !== undefined, pathParams: path.includes('{'), bearer }) };
  if (bearer) op.security = [{ [BEARER_SCHEME]: [] }];
  op.tags = op.tags?.length ? op.tags : [service];
  (op as OperationObject & { 'x-ripple-service': string })['x-ripple-service'] = service;
}

/**
 * Swagger's explorer sees `@Query('name')` but not a whole-object `@Query() q: SomeDto`
 * (nor `@Param()`): those come from the DTO's validated fields. Every `{name}` of
 * the path is a required parameter; a query parameter is optional unless its DTO requires it.
 */
function parametersOf(given: ParameterObject[] = [], path: string, facts: HandlerFacts, schemas: Record<string, SchemaObject>): ParameterObject[] {
  const fromDto = (dto: string | undefined, where: 'query' | 'path'): ParameterObject[] =>
    Object.entries(schemas[dto ?? '']?.properties ?? {}).map(([name, schema]) => ({ name, in: where, required: where === 'path' || (schemas[dto!].required?.includes(name) ?? false), schema }));
  const params = [...given.map((p) => (p.in === 'query' ? { ...p, required: false } : p)), ...fromDto(facts.queryDto, 'query'), ...fromDto(facts.paramDto, 'path')];
  for (const [, name] of path.matchAll(/\{(\w+)\}/g)) {
    if (!params.some((p) => p.in === 'path' && p.name === name)) params.push({ name, in: 'path', required: true, schema: { type: 'string' } });
  }
  const seen = new Set<string>();
  return params.filter((p) => !seen.has(`${p.in}:${p.name}`) && seen.add(`${p.in}:${p.name}`));
}

/** Serves the app's document at OPENAPI_PATH, built at the first request (the routes are known by then). */
export function serveOpenApi(app: INestApplication, service: string): void {
  let doc: OpenAPIObject | undefined;
  const http = app.getHttpAdapter();
  http.get(OPENAPI_PATH, (_req: unknown, res: unknown) => {
    buildOnce().then(
      (built) => http.reply(res, built, 200),
      (err: Error) => http.reply(res, { success: false, error: { code: 'INTERNAL', message: `the API document could not be built: ${err.message}` } }, 500),
    );
  });
  const buildOnce = async () => (doc ??= await buildOpenApiDocument(app, service));
}
