/** Where the REST API serves each change type's records (the change's `changeType` and `recordId` name one). */
export const REST_COLLECTIONS: Readonly<Record<string, string>> = {
  user: '/api/users',
  venue: '/api/venues',
  gallera: '/api/galleras',
  pet: '/api/pets',
  veterinarian: '/api/veterinarians',
  'health-record': '/api/health-records',
  'lost-pet': '/api/lost-pets',
  'user-event': '/api/user-events',
  'connector-run': '/api/connectors/runs',
};

export type ListFilter = Record<string, string | number | boolean | null | undefined>;

export class UnknownRecordTypeError extends Error {
  constructor(readonly type: string) {
    super(`no REST collection is known for "${type}": pass a path`);
    this.name = 'UnknownRecordTypeError';
  }
}

export function collectionPath(type: string): string {
  const path = REST_COLLECTIONS[type];
  if (!path) throw new UnknownRecordTypeError(type);
  return path;
}

/** `/api/venues?ownerId=…`: the filter's set values as query parameters, in a stable order. */
export function listPath(type: string, filter: ListFilter = {}, base = collectionPath(type)): string {
  const query = new URLSearchParams();
  for (const key of Object.keys(filter).sort()) {
    const value = filter[key];
    if (value !== undefined && value !== null) query.set(key, String(value));
  }
  const q = query.toString();
  return q ? `${base}?${q}` : base;
}
