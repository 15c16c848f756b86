import type { components, paths } from './api-types.generated.js';

/** The HTTP API as the gateway's merged OpenAPI document describes it (generated: `npm run sdk:types`). */
export type ApiPaths = paths;
export type ApiSchemas = components['schemas'];

export type ApiMethod = 'get' | 'put' | 'post' | 'delete' | 'patch';

/** Every path of the API that answers `method`. */
export type PathWith<M extends ApiMethod> = { [P in keyof paths]: paths[P] extends { [K in M]: object } ? P : never }[keyof paths];

/** The JSON body `method path` takes, as the route's DTO declares it. */
export type RequestBody<P extends PathWith<M>, M extends ApiMethod> = paths[P][M] extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;

/** What every route answers on success (the document describes no route's `data` yet), and on failure. */
export type ApiSuccess = ApiSchemas['Success'];
export type ApiFailure = ApiSchemas['Error'];
