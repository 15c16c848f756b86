import type { NestExpressApplication } from '@nestjs/platform-express';
import type { OpenAPIObject } from '@nestjs/swagger';
import express, { type Request, type Response } from 'express';
import { dirname } from 'node:path';
import { buildOpenApiDocument, OPENAPI_PATH } from '@ripple/http-edge';
import { sendError } from '../proxy/error-response';
import { DOCS_PREFIX, SERVICES, type Upstreams } from '../proxy/route-table';
import { describeGatewayOnlyPaths } from './gateway-paths';
import { mergeOpenApi } from './merge-openapi';

export interface ApiDocsOptions {
  upstreams: Upstreams;
  asyncApi: object;
  /**
   * How long a service may take to send its document (default 10 s): each builds it on its first
   * request, which took 2-4 s on a busy 2-core machine; slower than this, it is listed as unavailable.
   */
  fetchTimeoutMs?: number;
}

/**
 * `/api/openapi.json` (the gateway's routes and every service's, merged at each
 * request so a redeployed service is described as it now is), `/api/asyncapi.json`,
 * and `/api/docs`: Swagger UI from the installed swagger-ui-dist, nothing from a CDN.
 */
export function serveApiDocs(app: NestExpressApplication, opts: ApiDocsOptions): void {
  let own: OpenAPIObject | undefined;
  const ownDocument = async () => (own ??= describeGatewayOnlyPaths(await buildOpenApiDocument(app, 'gateway')));
  app.use(`${DOCS_PREFIX}/assets`, express.static(dirname(require.resolve('swagger-ui-dist/package.json')), { index: false }));
  // Routes, not middleware: a route's pattern is what the request metrics are labelled with.
  const http = app.getHttpAdapter().getInstance() as express.Express;
  http.get('/api/openapi.json', (_req: Request, res: Response) => {
    Promise.all([ownDocument(), fetchServiceDocuments(opts)])
      .then(([gateway, services]) => mergeOpenApi(gateway, services))
      .then(
        (merged) => res.json(merged),
        (err: Error) => sendError(res, 500, { code: 'INTERNAL', message: `the API document could not be built: ${err.message}` }),
      );
  });
  http.get('/api/asyncapi.json', (_req: Request, res: Response) => void res.json(opts.asyncApi));
  http.get(DOCS_PREFIX, (_req: Request, res: Response) => void res.type('html').send(SWAGGER_PAGE));
}

function fetchServiceDocuments(opts: ApiDocsOptions) {
  return Promise.all(
    SERVICES.map(async (service) => {
      const url = `${opts.upstreams[service].replace(/\/+$/, '')}${OPENAPI_PATH}`;
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(opts.fetchTimeoutMs ?? 10_000) });
        return { service, doc: res.ok ? ((await res.json()) as OpenAPIObject) : undefined };
      } catch {
        return { service, doc: undefined };
      }
    }),
  );
}

const SWAGGER_PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Ripple API</title>
  <link rel="stylesheet" href="${DOCS_PREFIX}/assets/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="${DOCS_PREFIX}/assets/swagger-ui-bundle.js"></script>
  <script src="${DOCS_PREFIX}/assets/swagger-ui-standalone-preset.js"></script>
  <script>
    // validatorUrl: null, or the page would fetch a badge from validator.swagger.io when served from a public host.
    window.ui = SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#swagger-ui', validatorUrl: null, presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: 'StandaloneLayout', persistAuthorization: true });
  </script>
</body>
</html>
`;
