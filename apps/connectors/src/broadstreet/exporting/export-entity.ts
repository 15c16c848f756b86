import { backoffDelay, type RetryPolicy } from '../../framework/http/backoff';
import type { RetryNotice, WaitBudget } from '../../framework/http/upstream-client';
import { UpstreamError } from '../../framework/http/upstream.errors';
import { refsOf, TYPE_SPECS, type RefKey, type RemotePath } from '../adserver-model';
import type { AdServerRow, AdServerStore } from '../adserver.store';
import type { BroadstreetApi, RemoteRecord } from '../broadstreet-api';
import { cleanPayload } from '../clean-payload';
import { resolveName } from '../name-conflicts';
import { CreatedWithoutIdError, DependencyNotExportedError } from './export-outcome';

export interface ExportDeps {
  store: AdServerStore;
  api: BroadstreetApi;
  retry: RetryPolicy;
  budget: WaitBudget;
  signal: AbortSignal;
  onRetry: (n: RetryNotice) => void;
  random?: () => number;
}

export type Exported = { outcome: 'exported' | 'reconciled'; remoteId: string; name: string | null };

/** Remote ids of everything the entity references, and the path its collection lives at. */
export async function resolveReferences(store: AdServerStore, row: AdServerRow): Promise<{ path: RemotePath; remoteRefs: Partial<Record<RefKey, string>> }> {
  const remoteRefs: Partial<Record<RefKey, string>> = {};
  const parentKey = TYPE_SPECS[row.type].parent;
  let path: RemotePath = {};
  for (const ref of refsOf(row.type)) {
    const id = row.refs[ref];
    const target = id ? await store.get(id) : undefined;
    if (!id || !target) throw new DependencyNotExportedError(ref, id ?? '-', 'it does not exist');
    if (!target.remoteId) throw new DependencyNotExportedError(ref, id, target.syncErrors.at(-1)?.message ?? 'it is still local');
    remoteRefs[ref] = target.remoteId;
    if (ref === parentKey) path = { ...(await resolveReferences(store, target)).path, [ref]: target.remoteId };
  }
  return { path, remoteRefs };
}

/**
 * Creates one local entity remotely, crash-safe: the intent (name, path) is
 * committed before the create call, and whenever a create may have written
 * without our knowing (a rerun after a crash, a dropped connection, a 5xx) the
 * entity is looked up under its parent before anything is created again.
 */
export async function exportEntity(row: AdServerRow, d: ExportDeps): Promise<Exported> {
  const { path, remoteRefs } = await resolveReferences(d.store, row);
  const opts = { signal: d.signal, onRetry: d.onRetry, rateLimitBudget: d.budget };
  const find = async (p: RemotePath, name: string | null) => (await d.api.list(row.type, p, opts)).find((r) => sameEntity(row.type === 'placements', r, name, remoteRefs));
  const adopt = async (r: RemoteRecord, name: string | null, outcome: Exported['outcome']): Promise<Exported> => {
    await d.store.markSynced(row.id, String(r.id), name);
    return { outcome, remoteId: String(r.id), name };
  };

  const intent = await d.store.idMapEntry(row.id);
  if (intent) {
    const found = await find(intent.remotePath, intent.sentName);
    if (found) return adopt(found, intent.sentName, 'reconciled');
  }
  const existing = await d.api.list(row.type, path, opts);
  const named = TYPE_SPECS[row.type].named;
  const name = named ? resolveName((row.name ?? '').trim(), existing.map((r) => String(r.name))) : null;
  if (!named) {
    const same = existing.find((r) => sameEntity(true, r, null, remoteRefs));
    if (same) return adopt(same, null, 'reconciled');
  }
  const payload = cleanPayload(row.type, name, row.fields, remoteRefs);
  await d.store.recordIntent(row.id, row.type, name, path);
  for (let attempt = 1; ; attempt++) {
    try {
      const created = await d.api.create(row.type, path, payload, opts);
      if (created) return await adopt(created, name, 'exported');
      // Created, but the answer does not say which id it got: look it up rather than guess.
      const found = await find(path, name);
      if (found) return await adopt(found, name, 'reconciled');
      throw new CreatedWithoutIdError(row.type, name);
    } catch (err) {
      if (!(err instanceof UpstreamError) || !mayHaveWritten(err) || attempt >= d.retry.attempts) throw err;
      const delayMs = backoffDelay(attempt, d.retry, d.random ?? Math.random);
      d.onRetry({ errorClass: err.errorClass, status: err.details.status, attempt, delayMs, message: err.message });
      await sleep(delayMs, d.signal);
      const found = await find(path, name);
      if (found) return adopt(found, name, 'reconciled');
    }
  }
}

const mayHaveWritten = (err: UpstreamError) => err.errorClass === 'network' || err.errorClass === 'upstream_5xx';

function sameEntity(placement: boolean, r: RemoteRecord, name: string | null, refs: Partial<Record<RefKey, string>>): boolean {
  if (placement) return String(r.advertisement_id) === refs.advertisement && String(r.zone_id) === refs.zone;
  return r.name === name;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), reject(signal.reason)), { once: true });
  });
}
