import { AUDIENCE_AGGREGATES } from './audience';
import { EVENT_ROUTES } from './event-routes';
import { EVENT_TYPES, audienceOf, payloadSchema, recordChangeOf } from './registry';
import type { TSchema } from './schema';

/** The schema of a payload field at the audience's `from`, or undefined when the payload has no such field. */
function fieldSchema(type: (typeof EVENT_TYPES)[number], field: string): TSchema | undefined {
  const data = payloadSchema(type);
  const where = audienceOf(type).from === 'changes' ? data.properties.changes : data;
  return (where as { properties?: Record<string, TSchema> }).properties?.[field];
}
const isString = (s: TSchema): boolean => s.type === 'string' || (Array.isArray(s.anyOf) && s.anyOf.some((x: TSchema) => x.type === 'string'));

describe('every event declares its audience in its contract', () => {
  it.each(EVENT_TYPES)('%s: an audience and a record change, naming fields its payload holds', (type) => {
    const audience = audienceOf(type);
    expect(audience).toEqual(expect.objectContaining({ from: expect.stringMatching(/^(data|changes)$/) }));
    expect(['created', 'updated', 'deleted']).toContain(recordChangeOf(type));
    const fields = [...(audience.users ?? []), audience.pet, audience.vet, audience.vetUser].filter((f): f is string => !!f);
    for (const field of fields) {
      const schema = fieldSchema(type, field);
      expect([field, schema && isString(schema)]).toEqual([field, true]);
    }
    if (audience.vetUser) expect(audience.users).toContain(audience.vetUser);
  });

  it('the registry is the list: every routed event has a contract, and every contract a route', () => {
    expect([...EVENT_TYPES].sort()).toEqual(Object.keys(EVENT_ROUTES).sort());
  });

  it("one aggregate's events agree on its reference fields, and the references point at aggregates that exist", () => {
    const byAggregate = new Map<string, string>();
    for (const type of EVENT_TYPES) {
      const { from: _from, ...refs } = audienceOf(type);
      const seen = byAggregate.get(EVENT_ROUTES[type].aggregate);
      if (seen) expect([type, JSON.stringify(refs)]).toEqual([type, seen]);
      byAggregate.set(EVENT_ROUTES[type].aggregate, JSON.stringify(refs));
    }
    expect(byAggregate.has(AUDIENCE_AGGREGATES.pet)).toBe(true);
    expect(byAggregate.has(AUDIENCE_AGGREGATES.vet)).toBe(true);
  });
});
