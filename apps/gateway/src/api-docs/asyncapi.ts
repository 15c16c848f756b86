import { EVENT_ENVELOPE_SCHEMA, EVENT_ROUTES, audienceOf, currentSchemaVersion, eventSubject, payloadSchema, streamName, type DomainEvent } from '@ripple/contracts';
import { SYNC_MESSAGE_SCHEMAS } from './sync-message-schemas.generated';

type Json = Record<string, unknown>;

export interface AsyncApiServers {
  /** host:port of the broker (no credentials). */
  nats: string;
  /** host:port of the gateway. */
  gateway: string;
}

const ref = (to: string) => ({ $ref: to });

/**
 * AsyncAPI 3: every domain event with its subject, stream, schema version and
 * payload (the contracts' own schemas) and audience (who the gateway shows it to),
 * and the messages the gateway sends on SSE and WebSocket (generated from SyncMessage).
 */
export function buildAsyncApi(servers: AsyncApiServers): Json {
  const types = Object.keys(EVENT_ROUTES).sort() as DomainEvent['type'][];
  const syncMessages = Object.fromEntries(SYNC_MESSAGE_SCHEMAS.map((schema) => [syncMessageName(schema), schema]));
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Ripple events and realtime messages',
      version: '1',
      description:
        'Domain events on NATS JetStream: one stream per bounded context, subject `<context>.<aggregate>.<aggregateId>.<EventType>`, ' +
        'each event with its schema version (older versions are upcast on read). With RIPPLE_NAMESPACE set, streams are `<namespace>_<STREAM>` and subjects start with `<namespace>.`. ' +
        'The gateway sends each user the changes that concern them on SSE (/api/sync/events) and WebSocket (/api/sync/ws); the HTTP API is /api/openapi.json.',
    },
    defaultContentType: 'application/json',
    servers: {
      nats: { host: servers.nats, protocol: 'nats', description: 'NATS JetStream: services publish and consume here' },
      sse: { host: servers.gateway, protocol: 'http', pathname: '/api/sync/events', description: 'Server-Sent Events: `id: <cursor>`, one JSON `data:` line per message' },
      ws: { host: servers.gateway, protocol: 'ws', pathname: '/api/sync/ws', description: 'WebSocket: one JSON text frame per message, `id` = the cursor' },
    },
    channels: {
      ...Object.fromEntries(types.map((type) => [type, eventChannel(type)])),
      changeFeedSse: feedChannel('/api/sync/events', 'sse', Object.keys(syncMessages)),
      changeFeedWs: feedChannel('/api/sync/ws', 'ws', Object.keys(syncMessages)),
    },
    operations: {
      ...Object.fromEntries(types.map((type) => [`publish${type}`, { action: 'send', channel: ref(`#/channels/${type}`), summary: `${EVENT_ROUTES[type].context} publishes ${type}`, messages: [ref(`#/channels/${type}/messages/${type}`)] }])),
      sendChangeFeedSse: { action: 'send', channel: ref('#/channels/changeFeedSse'), summary: 'The gateway streams a user their changes over SSE' },
      sendChangeFeedWs: { action: 'send', channel: ref('#/channels/changeFeedWs'), summary: 'The gateway streams a user their changes over WebSocket' },
    },
    components: {
      schemas: { EventEnvelope: EVENT_ENVELOPE_SCHEMA },
      messages: {
        ...Object.fromEntries(types.map((type) => [type, eventMessage(type)])),
        ...Object.fromEntries(Object.entries(syncMessages).map(([name, payload]) => [name, { name, title: name, contentType: 'application/json', payload }])),
      },
    },
  };
}

function eventChannel(type: DomainEvent['type']): Json {
  const { context, aggregate } = EVENT_ROUTES[type];
  return {
    address: eventSubject('', context, aggregate, '{aggregateId}', type),
    title: type,
    description: `On stream ${streamName('', context)}.`,
    parameters: { aggregateId: { description: `The ${aggregate}'s id` } },
    servers: [ref('#/servers/nats')],
    messages: { [type]: ref(`#/components/messages/${type}`) },
    'x-ripple-stream': streamName('', context),
  };
}

function eventMessage(type: DomainEvent['type']): Json {
  const { aggregate } = EVENT_ROUTES[type];
  const schemaVersion = currentSchemaVersion(type);
  return {
    name: type,
    title: `${type} v${schemaVersion}`,
    contentType: 'application/json',
    headers: { type: 'object', properties: { 'Nats-Msg-Id': { type: 'string', description: 'The event id: JetStream drops a duplicate publish' } } },
    payload: {
      allOf: [
        ref('#/components/schemas/EventEnvelope'),
        { type: 'object', properties: { type: { const: type }, schemaVersion: { const: schemaVersion }, aggregateType: { const: aggregate }, data: payloadSchema(type) } },
      ],
    },
    'x-ripple-schema-version': schemaVersion,
    'x-ripple-audience': audienceOf(type),
  };
}

function feedChannel(address: string, server: 'sse' | 'ws', messages: string[]): Json {
  return {
    address,
    description: 'One user\'s change feed; resume with the last cursor (`Last-Event-ID` or `?since=`).',
    servers: [ref(`#/servers/${server}`)],
    messages: Object.fromEntries(messages.map((m) => [m, ref(`#/components/messages/${m}`)])),
  };
}

const syncMessageName = (schema: Json) => ((schema.properties as Json).type as { const: string }).const;
