import type { OpenAPIObject, PathItemObject } from '@nestjs/swagger';

const document = (id: string, summary: string, type: string): PathItemObject => ({
  get: { operationId: id, tags: ['gateway'], summary, responses: { '200': { description: summary, content: { [type]: { schema: { type: type === 'text/html' ? 'string' : 'object' } } } } }, 'x-ripple-service': 'gateway' } as PathItemObject['get'],
});

/**
 * What the gateway's document cannot learn from its controllers (these are not
 * Nest routes): the WebSocket upgrade, the SSE stream's content type, and the
 * API documents themselves. The realtime messages are in the AsyncAPI document.
 */
export function describeGatewayOnlyPaths(doc: OpenAPIObject): OpenAPIObject {
  const ws: PathItemObject = {
    get: {
      operationId: 'SyncWebSocket_upgrade',
      tags: ['gateway'],
      summary: 'The change feed over WebSocket (messages: /api/asyncapi.json)',
      description: 'Upgrade with `?ticket=` (POST /api/sync/ticket) or `Authorization: Bearer` (a token in the URL is refused), and `?since=<cursor>` to resume. Origin must be one of SYNC_ALLOWED_ORIGINS.',
      parameters: ['ticket', 'since'].map((name) => ({ name, in: 'query', required: false, schema: { type: 'string' } })),
      responses: { '101': { description: 'Switching Protocols: the feed follows as WebSocket text frames' }, '401': { description: 'No valid ticket or token' } },
      'x-ripple-service': 'gateway',
    } as PathItemObject['get'],
  };
  const events = doc.paths['/api/sync/events']?.get;
  if (events) {
    events.summary = 'The change feed over Server-Sent Events (messages: /api/asyncapi.json)';
    events.description = 'Authenticate with `?ticket=` (EventSource cannot send headers) or `Authorization: Bearer` (a token in the URL is refused); resume with `Last-Event-ID` or `?since=<cursor>`.';
    events.parameters = ['ticket', 'since'].map((name) => ({ name, in: 'query', required: false, schema: { type: 'string' } }));
    events.responses['200'] = { description: 'An event stream: `id: <cursor>` and one JSON `data:` line per message', content: { 'text/event-stream': { schema: { type: 'string' } } } };
  }
  return {
    ...doc,
    paths: {
      ...doc.paths,
      '/api/sync/ws': ws,
      '/api/openapi.json': document('ApiDocs_openapi', 'This document: every service behind the gateway, merged', 'application/json'),
      '/api/asyncapi.json': document('ApiDocs_asyncapi', 'AsyncAPI 3: the domain events on NATS and the realtime messages on SSE and WebSocket', 'application/json'),
      '/api/docs': document('ApiDocs_page', 'This document, browsable (Swagger UI)', 'text/html'),
    },
  };
}
