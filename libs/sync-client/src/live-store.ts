import type { DataChange } from './messages.js';
import type { SyncClient } from './sync-client.js';

/**
 * What LiveRecord and LiveList share: a store for `useSyncExternalStore`
 * (subscribe, then read `getSnapshot()`) that follows its type's changes while
 * someone listens, and fetches again on a feed `reset`. Fetches are coalesced:
 * calls made during one share one more (`fetchAgain`, read by `load`).
 */
export abstract class LiveStore<S> {
  private readonly listeners = new Set<() => void>();
  private detach?: () => void;
  private fetching?: Promise<void>;
  protected fetchAgain = false;

  protected constructor(protected readonly client: SyncClient, readonly type: string, protected state: S) {}

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    if (this.listeners.size === 1) this.open();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.close();
    };
  };

  readonly getSnapshot = (): S => this.state;

  /** Fetches again (coalesced: calls made during a fetch share one more). */
  refetch(): Promise<void> {
    if (this.fetching) {
      this.fetchAgain = true;
      return this.fetching;
    }
    this.fetching = this.load().finally(() => (this.fetching = undefined));
    return this.fetching;
  }

  /** A change of this store's type. */
  protected abstract merge(change: DataChange): void;

  /** Fetches from REST until caught up; clears and reads `fetchAgain`. */
  protected abstract load(): Promise<void>;

  protected notify(): void {
    for (const l of this.listeners) l();
  }

  private open(): void {
    const offChange = this.client.on(this.type, (change) => this.merge(change));
    const offReset = this.client.onReset(() => void this.refetch());
    this.detach = () => (offChange(), offReset());
    void this.refetch();
  }

  private close(): void {
    this.detach?.();
    this.detach = undefined;
  }
}
