import type { FailedOperation, QueuedOperation } from './messages.js';

/** What a client keeps for one user across restarts: unsent commands in order, refused ones, and the feed cursor. */
export interface PersistedState {
  userId: string;
  operations: QueuedOperation[];
  failed: FailedOperation[];
  cursor?: string;
}

/**
 * A device's store of queues, one per signed-in user: a user's queue is read
 * and written under their id only, so another user on the same device never
 * sees (or sends) it.
 */
export interface QueueStore {
  load(userId: string): Promise<PersistedState>;
  save(state: PersistedState): Promise<void>;
}

export const emptyState = (userId: string): PersistedState => ({ userId, operations: [], failed: [] });

/** A state written by an older client has no `failed`; one stored under another user's key is not this user's. */
function ownState(userId: string, stored: Partial<PersistedState> | undefined): PersistedState {
  if (!stored || (stored.userId !== undefined && stored.userId !== userId)) return emptyState(userId);
  return { ...emptyState(userId), ...stored, userId };
}

export class MemoryQueueStore implements QueueStore {
  private readonly states = new Map<string, PersistedState>();
  async load(userId: string) {
    return ownState(userId, structuredClone(this.states.get(userId)));
  }
  async save(state: PersistedState) {
    this.states.set(state.userId, structuredClone(state));
  }
}

let asides = 0;

/** Node: one JSON file per user in a directory, each replaced atomically (write aside, then rename). */
export class FileQueueStore implements QueueStore {
  constructor(private readonly dir: string) {}

  async load(userId: string): Promise<PersistedState> {
    const fs = await import('node:fs/promises');
    try {
      return ownState(userId, JSON.parse(await fs.readFile(this.pathOf(userId), 'utf8')));
    } catch (err) {
      if ((err as { code?: string }).code === 'ENOENT') return emptyState(userId);
      throw err;
    }
  }

  async save(state: PersistedState): Promise<void> {
    const fs = await import('node:fs/promises');
    await fs.mkdir(this.dir, { recursive: true });
    const path = this.pathOf(state.userId);
    // Each write has its own aside file: two writers never rename the other's half-written file.
    const aside = `${path}.${process.pid}.${++asides}.tmp`;
    await fs.writeFile(aside, JSON.stringify(state));
    await fs.rename(aside, path);
  }

  private pathOf(userId: string): string {
    return `${this.dir}/queue-${encodeURIComponent(userId)}.json`;
  }
}

/** Browser: one record per user in an IndexedDB object store. */
export class IndexedDbQueueStore implements QueueStore {
  constructor(private readonly dbName = 'ripple-sync', private readonly indexedDb: IDBFactory = globalThis.indexedDB) {}

  async load(userId: string): Promise<PersistedState> {
    const db = await this.open();
    const value = await request<PersistedState | undefined>(db.transaction('state').objectStore('state').get(`queue:${userId}`));
    db.close();
    return ownState(userId, value);
  }

  async save(state: PersistedState): Promise<void> {
    const db = await this.open();
    const tx = db.transaction('state', 'readwrite');
    tx.objectStore('state').put(state, `queue:${state.userId}`);
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
    db.close();
  }

  private open(): Promise<IDBDatabase> {
    const req = this.indexedDb.open(this.dbName, 1);
    req.onupgradeneeded = () => req.result.createObjectStore('state');
    return request(req);
  }
}

const request = <T>(req: IDBRequest): Promise<T> =>
  new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result as T);
    req.onerror = () => reject(req.error);
  });
