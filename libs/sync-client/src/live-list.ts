import type { ApplyChange, Versioned } from './live-record.js';
import type { DataChange } from './messages.js';
import { listPath, type ListFilter } from './rest-paths.js';
import type { SyncClient } from './sync-client.js';
import { LiveStore } from './live-store.js';

export interface LiveListState<T> {
  /** undefined until the first answer. */
  readonly data: readonly T[] | undefined;
  readonly loading: boolean;
  readonly error?: Error;
}

export interface LiveListOptions<T> {
  /** The list's REST path without the query; by default the collection of its type (`/api/venues`). */
  path?: string;
  apply?: ApplyChange<T>;
  /** Which changes may concern the list; by default every change of its type. A change it rejects never refetches. */
  matches?: (change: DataChange) => boolean;
}

/**
 * A REST list kept current by the change feed, merged by version as
 * LiveRecord does: a change to a listed record at the next version is applied
 * (`apply`) or the list fetched again; a change no newer than the listed
 * record is ignored; a removal takes the record out; a record the list does
 * not hold yet (it may now match the filter), a truncated change and a feed
 * `reset` fetch the list again. A fetched record older than the one held is
 * not taken: the list never goes back.
 */
export class LiveList<T extends Versioned> extends LiveStore<LiveListState<T>> {
  constructor(client: SyncClient, type: string, readonly filter: ListFilter = {}, private readonly opts: LiveListOptions<T> = {}) {
    super(client, type, { data: undefined, loading: true });
  }

  protected merge(change: DataChange): void {
    if (this.opts.matches && !this.opts.matches(change)) return;
    const items = this.state.data ?? [];
    const at = items.findIndex((r) => r.id === change.recordId);
    const held = at >= 0 ? items[at] : undefined;
    if (held && change.version <= held.version) return;
    if (held && change.operation === 'DELETE') return this.set(items.filter((_, i) => i !== at));
    if (held && this.opts.apply && !change.truncated && change.version === held.version + 1) {
      return this.set(items.map((r, i) => (i === at ? { ...this.opts.apply!(r, change), version: change.version } : r)));
    }
    void this.refetch();
  }

  protected async load(): Promise<void> {
    do {
      this.fetchAgain = false;
      try {
        const fetched = await this.client.api<T[]>('GET', listPath(this.type, this.filter, this.opts.path));
        const held = new Map((this.state.data ?? []).map((r) => [r.id, r]));
        this.set(fetched.map((r) => { const h = held.get(r.id); return h && h.version > r.version ? h : r; }));
      } catch (error) {
        this.state = { ...this.state, loading: false, error: error as Error };
        this.notify();
      }
    } while (this.fetchAgain);
  }

  private set(data: readonly T[]): void {
    this.state = { data, loading: false };
    this.notify();
  }
}
