import type { CallOptions, UpstreamClient } from '../framework/http/upstream-client';
import { UpstreamError } from '../framework/http/upstream.errors';
import { collectionPath, TYPE_SPECS, type AdServerType, type RemotePath } from './adserver-model';
import type { Payload } from './clean-payload';

export type RemoteRecord = Record<string, unknown> & { id?: unknown };

/**
 * Broadstreet's v0 REST API for the ad-server entities, spoken as Broadstreet's
 * own v0 clients speak it:
 * - every request carries `access_token` in the query (set once on the client);
 * - a create is `POST /api/0/networks/<n>/advertisers/<a>/campaigns` with the
 *   entity's fields flat, as form fields (`name=...&start_date=...`), no
 *   wrapping key and no repeat of the parent ids the path already names;
 * - a create answers `{ campaign: {...} }`, a list `{ campaigns: [...] }`.
 * Sources: broadstreetads/broadstreet-api-php, src/Broadstreet.php (API_VERSION
 * '0': `_buildRequestURL` appends `access_token=` to the query; `_post` sends the
 * params array as POST fields, e.g. `createAdvertisement($network_id,
 * $advertiser_id, $name, $type)` posts `name`, `type` to
 * `/networks/$network_id/advertisers/$advertiser_id/advertisements` and reads
 * `->body->advertisement`); the same client vendored in broadstreetads/broadstreet-wp
 * (Broadstreet/Vendor/Broadstreet.php); mpub/broadstreetads, broadstreetads.py
 * (`APIv0.create_zone` posts `data=dict(name=..., alias=...)`, form-encoded, to
 * `/networks/{network}/zones` and reads `resp['zone']`).
 */
export class BroadstreetApi {
  constructor(readonly client: UpstreamClient) {}

  async list(type: AdServerType, path: RemotePath, opts: CallOptions = {}): Promise<RemoteRecord[]> {
    const where = collectionPath(type, path);
    const body = (await this.client.getJson(where, {}, opts)) as Record<string, unknown>;
    const items = body?.[type];
    if (!Array.isArray(items)) throw new UpstreamError('validation', `GET ${where}: no "${type}" list in the response`);
    return items as RemoteRecord[];
  }

  /**
   * Non-idempotent: only a 429 is resent as is; the caller reconciles after
   * anything that may have written. Null when the answer holds no created
   * entity with an id: it was created, but the caller must look it up.
   */
  async create(type: AdServerType, path: RemotePath, payload: Payload, opts: CallOptions = {}): Promise<RemoteRecord | null> {
    const where = collectionPath(type, path);
    const body = (await this.client.request('POST', where, { form: payload }, { ...opts, retryable: (c) => c === 'rate_limit' })) as Record<string, unknown>;
    const created = body?.[TYPE_SPECS[type].singular] as RemoteRecord | undefined;
    return created && created.id !== undefined && created.id !== null ? created : null;
  }
}

/** The remote id of a placement when the API gives none: it is unique by what it ties together. */
export function remoteIdOf(type: AdServerType, r: RemoteRecord, path: RemotePath): string {
  if (r.id !== undefined && r.id !== null) return String(r.id);
  if (type === 'placements') return `${path.campaign}:${r.advertisement_id}:${r.zone_id}`;
  throw new UpstreamError('validation', `a ${TYPE_SPECS[type].singular} without an id`);
}
