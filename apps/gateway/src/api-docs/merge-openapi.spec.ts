import type { OpenAPIObject } from '@nestjs/swagger';
import { mergeOpenApi } from './merge-openapi';

const op = (service: string, ref?: string) => ({ 'x-ripple-service': service, responses: { '200': { description: 'ok', ...(ref ? { content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } } } : {}) } } });
const docOf = (paths: Record<string, unknown>, schemas: Record<string, unknown> = {}): OpenAPIObject =>
  ({ openapi: '3.0.0', info: { title: 't', version: '1' }, paths, components: { schemas } }) as unknown as OpenAPIObject;

describe('mergeOpenApi', () => {
  const gateway = docOf({ '/api/sync/changes': { get: op('gateway') }, '/health': { get: op('gateway') } }, { Error: { type: 'object' } });

  it("takes each service's /api paths, not its /health or /metrics", () => {
    const merged = mergeOpenApi(gateway, [{ service: 'venues', doc: docOf({ '/api/venues': { get: op('venues') }, '/health': { get: op('venues') } }) }]);

    expect(Object.keys(merged.paths)).toEqual(['/api/sync/changes', '/api/venues', '/health']);
    expect(merged.paths['/health'].get).toMatchObject({ 'x-ripple-service': 'gateway' });
  });

  it('keeps one copy of a schema two services share, and renames one that differs, with its references', () => {
    const merged = mergeOpenApi(gateway, [
      { service: 'venues', doc: docOf({ '/api/venues': { get: op('venues', 'ListQuery') } }, { Error: { type: 'object' }, ListQuery: { type: 'object', properties: { a: {} } } }) },
      { service: 'pets', doc: docOf({ '/api/pets': { get: op('pets', 'ListQuery') } }, { Error: { type: 'object' }, ListQuery: { type: 'object', properties: { b: {} } } }) },
    ]);

    expect(Object.keys(merged.components!.schemas!).sort()).toEqual(['Error', 'ListQuery', 'pets.ListQuery']);
    expect(JSON.stringify(merged.paths['/api/venues'])).toContain('"#/components/schemas/ListQuery"');
    expect(JSON.stringify(merged.paths['/api/pets'])).toContain('"#/components/schemas/pets.ListQuery"');
    expect(merged.components!.schemas!['pets.ListQuery']).toEqual({ type: 'object', properties: { b: {} } });
  });

  it('gives an operation id another service already uses its service as prefix, so every id is unique', () => {
    const withId = (service: string, operationId: string) => ({ ...op(service), operationId });
    const merged = mergeOpenApi(docOf({ '/api/ops/gateway/pipeline': { get: withId('gateway', 'OpsController_pipeline') } }), [
      { service: 'venues', doc: docOf({ '/api/ops/venues/pipeline': { get: withId('venues', 'OpsController_pipeline') }, '/api/venues': { get: withId('venues', 'VenuesController_list') } }) },
      { service: 'pets', doc: docOf({ '/api/ops/pets/pipeline': { get: withId('pets', 'OpsController_pipeline') } }) },
    ]);

    expect(Object.fromEntries(Object.entries(merged.paths).map(([path, item]) => [path, item.get?.operationId]))).toEqual({
      '/api/ops/gateway/pipeline': 'OpsController_pipeline',
      '/api/ops/pets/pipeline': 'pets_OpsController_pipeline',
      '/api/ops/venues/pipeline': 'venues_OpsController_pipeline',
      '/api/venues': 'VenuesController_list',
    });
  });

  it('names the services that did not answer instead of failing', () => {
    const merged = mergeOpenApi(gateway, [{ service: 'pets' }]) as OpenAPIObject & { 'x-ripple-unavailable'?: string[] };

    expect(merged['x-ripple-unavailable']).toEqual(['pets']);
    expect(merged.info.description).toContain('pets');
  });
});
