import type { PathWith } from './api-types.js';

/**
 * Where the REST API serves each change type's records (the change's `changeType` and `recordId` name one).
 * Each `<collection>/{id}` is a GET route of the OpenAPI document (`RecordPath` below: the compiler checks it).
 */
export const REST_COLLECTIONS = {
  user: '/api/users',
  venue: '/api/venues',
  gallera: '/api/galleras',
  pet: '/api/pets',
  veterinarian: '/api/veterinarians',
  'health-record': '/api/health-records',
  'lost-pet': '/api/lost-pets',
  'user-event': '/api/user-events',
  'connector-run': '/api/connectors/runs',
} as const;

type Collection = (typeof REST_COLLECTIONS)[keyof typeof REST_COLLECTIONS];
type GetRoute<P extends PathWith<'get'>> = P;
/** The records the hooks read by id: one whose route leaves the API fails to compile here. */
export type RecordPath = GetRoute<`${Collection}/{id}`>;

export type ListFilter = Record<string, string | number | boolean | null | undefined>;

export class UnknownRecordTypeError extends Error {
  constructor(readonly type: string) {
    super(`no REST collection is known for "${type}": pass a path`);
    this.name = 'UnknownRecordTypeError';
  }
}

export function collectionPath(type: string): string {
  const path = (REST_COLLECTIONS as Readonly<Record<string, string>>)[type];
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
