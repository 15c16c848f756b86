import type { DataChange } from './messages.js';
import { collectionPath } from './rest-paths.js';
import type { SyncClient } from './sync-client.js';
import { LiveStore } from './live-store.js';

/** A REST record: every record Ripple serves carries its aggregate's version. */
export interface Versioned {
  id: string;
  version: number;
}

/** Applies a change to the record it follows (the change is the record's next version); the result gets the change's version. */
export type ApplyChange<T> = (record: T, change: DataChange) => T;

export interface LiveRecordState<T> {
  /** undefined while loading; null when the record does not exist (404) or was deleted. */
  readonly data: T | null | undefined;
  readonly loading: boolean;
  readonly error?: Error;
}

export interface LiveRecordOptions<T> {
  /** The record's REST path; by default the collection of its type (`/api/pets/<id>`). */
  path?: string;
  /** Applies a change locally instead of fetching the record again (used only for the exact next version). */
  apply?: ApplyChange<T>;
}

/** How often a record is fetched again for one change it has not caught up with (a lagging read). */
const MAX_CATCH_UP_FETCHES = 3;

/**
 * One record kept current: a REST snapshot, then the change feed merged by
 * version. A change at or below the version held is already in it (never
 * applied twice); anything newer is applied (`apply`, for the next version)
 * or fetched again; a fetched record older than the one held is ignored (never
 * goes back). A `reset` of the feed, or a truncated change, fetches again.
 * A store for `useSyncExternalStore`: subscribe, then read `getSnapshot()`.
 */
export class LiveRecord<T extends Versioned> extends LiveStore<LiveRecordState<T>> {
  /** The version shown (a deleted record keeps the version that deleted it), and the highest the feed has named. */
  private held = 0;
  private newest = 0;

  constructor(client: SyncClient, type: string, readonly id: string, private readonly opts: LiveRecordOptions<T> = {}) {
    super(client, type, { data: undefined, loading: true });
  }

  protected merge(change: DataChange): void {
    if (change.recordId !== this.id || change.version <= this.held) return;
    this.newest = Math.max(this.newest, change.version);
    const held = this.state.data;
    if (change.operation === 'DELETE') this.set({ data: null, loading: false }, change.version);
    else if (held && this.opts.apply && !change.truncated && change.version === held.version + 1) {
      this.set({ data: { ...this.opts.apply(held, change), version: change.version }, loading: false }, change.version);
    } else void this.refetch();
  }

  protected async load(): Promise<void> {
    for (let i = 0; i < MAX_CATCH_UP_FETCHES; i++) {
      this.fetchAgain = false;
      try {
        const fetched = await this.client.api<T>('GET', this.opts.path ?? `${collectionPath(this.type)}/${encodeURIComponent(this.id)}`);
        if (fetched.version >= this.held) this.set({ data: fetched, loading: false }, fetched.version);
      } catch (error) {
        const notFound = (error as { status?: number }).status === 404;
        this.set({ data: notFound ? null : this.state.data, loading: false, error: error as Error });
      }
      if (!this.fetchAgain && this.held >= this.newest) return;
    }
  }

  private set(state: LiveRecordState<T>, version = this.held): void {
    this.state = state;
    this.held = version;
    this.notify();
  }
}
