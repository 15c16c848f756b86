import type { CallOptions, UpstreamClient } from '../framework/http/upstream-client';
import { UpstreamError } from '../framework/http/upstream.errors';
import { collectionPath, TYPE_SPECS, type AdServerType, type RemotePath } from './adserver-model';

export type RemoteRecord = Record<string, unknown> & { id?: unknown };

/** Broadstreet's v0 REST API for the ad-server entities: lists `{ advertisers: [...] }`, creates `{ advertiser: {...} }`. */
export class BroadstreetApi {
  constructor(readonly client: UpstreamClient) {}

  async list(type: AdServerType, path: RemotePath, opts: CallOptions = {}): Promise<RemoteRecord[]> {
    const where = collectionPath(type, path);
    const body = (await this.client.getJson(where, {}, opts)) as Record<string, unknown>;
    const items = body?.[type];
    if (!Array.isArray(items)) throw new UpstreamError('validation', `GET ${where}: no "${type}" list in the response`);
    return items as RemoteRecord[];
  }

  /** Non-idempotent: only a 429 is resent as is; the caller reconciles after anything that may have written. */
  async create(type: AdServerType, path: RemotePath, payload: Record<string, unknown>, opts: CallOptions = {}): Promise<RemoteRecord> {
    const where = collectionPath(type, path);
    const body = (await this.client.request('POST', where, { body: payload }, { ...opts, retryable: (c) => c === 'rate_limit' })) as Record<string, unknown>;
    const created = body?.[TYPE_SPECS[type].singular] as RemoteRecord | undefined;
    if (!created || created.id === undefined || created.id === null) throw new UpstreamError('validation', `POST ${where}: no created ${TYPE_SPECS[type].singular} with an id in the response`);
    return created;
  }
}

/** The remote id of a placement when the API gives none: it is unique by what it ties together. */
export function remoteIdOf(type: AdServerType, r: RemoteRecord, path: RemotePath): string {
  if (r.id !== undefined && r.id !== null) return String(r.id);
  if (type === 'placements') return `${path.campaign}:${r.advertisement_id}:${r.zone_id}`;
  throw new UpstreamError('validation', `a ${TYPE_SPECS[type].singular} without an id`);
}
