import asyncApi300Schema from '@asyncapi/specs/schemas/3.0.0-without-$id.json';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { EVENT_ROUTES, EVENT_TYPES, audienceOf, currentSchemaVersion, eventSubject, isKnownEventType } from '@ripple/contracts';
import { buildAsyncApi } from './asyncapi';

const doc = buildAsyncApi({ nats: '127.0.0.1:4222', gateway: '127.0.0.1:3000' }) as any;
// The registry's event types (each with its schema) and the routes, written by hand: the document must have both.
const eventTypes = [...new Set([...EVENT_TYPES, ...Object.keys(EVENT_ROUTES)])].sort();

describe('the AsyncAPI document', () => {
  it('is a valid AsyncAPI 3.0 document, with the broker and the gateway as servers', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    const validate = ajv.compile(asyncApi300Schema);

    expect(validate(doc) ? [] : validate.errors).toEqual([]);
    expect(doc.asyncapi).toBe('3.0.0');
    expect(doc.servers.nats).toMatchObject({ host: '127.0.0.1:4222', protocol: 'nats' });
    expect(doc.servers.ws).toMatchObject({ protocol: 'ws', pathname: '/api/sync/ws' });
  });

  it('has every event type of the contracts, with its subject, version and payload schema', () => {
    expect(eventTypes.length).toBeGreaterThanOrEqual(28);
    for (const type of eventTypes) {
      expect(isKnownEventType(type)).toBe(true);
      const { context, aggregate } = (EVENT_ROUTES as Record<string, { context: any; aggregate: string }>)[type];
      const channel = doc.channels[type];
      expect(channel.address).toBe(eventSubject('', context, aggregate, '{aggregateId}', type));
      expect(channel.parameters.aggregateId).toBeDefined();
      const message = doc.components.messages[type];
      expect(message['x-ripple-schema-version']).toBe(currentSchemaVersion(type as any));
      expect(message['x-ripple-audience']).toEqual(audienceOf(type as any));
      const own = message.payload.allOf[1].properties;
      expect(own.type).toEqual({ const: type });
      expect(own.data).toMatchObject({ type: 'object', properties: expect.any(Object) });
      expect(Object.keys(own.data.properties).length).toBeGreaterThan(0);
      expect(doc.operations[`publish${type}`].channel).toEqual({ $ref: `#/channels/${type}` });
    }
  });

  it("spells out a payload's fields: a profile update's changes, a pet's weight", () => {
    const data = (type: string) => doc.components.messages[type].payload.allOf[1].properties.data;

    expect(data('UserProfileUpdated').properties.changes.properties.phone).toMatchObject({ anyOf: [{ type: 'string' }, { type: 'null' }] });
    expect(data('PetRegistered').properties.weightKg).toMatchObject({ anyOf: [{ type: 'number' }, { type: 'null' }] });
    expect(data('PetRegistered').properties.ownerId).toMatchObject({ type: 'string', pattern: expect.any(String) });
    expect(data('UserRegistered').properties.role.anyOf).toContainEqual(expect.objectContaining({ const: 'veterinarian' }));
  });

  it('has every message the gateway sends on SSE and WebSocket', () => {
    const kinds = ['connected', 'reset', 'data_change', 'heartbeat', 'closing', 'error'];
    for (const channel of ['changeFeedSse', 'changeFeedWs']) expect(Object.keys(doc.channels[channel].messages).sort()).toEqual([...kinds].sort());
    expect(doc.components.messages.data_change.payload.properties).toMatchObject({ cursor: { type: 'string' }, eventType: { type: 'string' }, truncated: { type: 'boolean' } });
    expect(doc.components.messages.closing.payload.properties.reason.enum).toEqual(expect.arrayContaining(['slow_consumer', 'token_revoked']));
  });
});
