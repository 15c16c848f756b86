import type { QueuedOperation } from './messages.js';

/** What a client keeps across restarts: unsent commands, in order, and the feed cursor. */
export interface PersistedState {
  operations: QueuedOperation[];
  cursor?: string;
}

export interface QueueStore {
  load(): Promise<PersistedState>;
  save(state: PersistedState): Promise<void>;
}

export class MemoryQueueStore implements QueueStore {
  private state: PersistedState = { operations: [] };
  async load() {
    return structuredClone(this.state);
  }
  async save(state: PersistedState) {
    this.state = structuredClone(state);
  }
}

let asides = 0;

/** Node: one JSON file, replaced atomically (write aside, then rename). */
export class FileQueueStore implements QueueStore {
  constructor(private readonly path: string) {}

  async load(): Promise<PersistedState> {
    const fs = await import('node:fs/promises');
    try {
      return JSON.parse(await fs.readFile(this.path, 'utf8')) as PersistedState;
    } catch (err) {
      if ((err as { code?: string }).code === 'ENOENT') return { operations: [] };
      throw err;
    }
  }

  async save(state: PersistedState): Promise<void> {
    const fs = await import('node:fs/promises');
    // Each write has its own aside file: two writers never rename the other's half-written file.
    const aside = `${this.path}.${process.pid}.${++asides}.tmp`;
    await fs.writeFile(aside, JSON.stringify(state));
    await fs.rename(aside, this.path);
  }
}

/** Browser: one record in an IndexedDB object store. */
export class IndexedDbQueueStore implements QueueStore {
  constructor(private readonly dbName = 'ripple-sync', private readonly indexedDb: IDBFactory = globalThis.indexedDB) {}

  async load(): Promise<PersistedState> {
    const db = await this.open();
    const value = await request<PersistedState | undefined>(db.transaction('state').objectStore('state').get('queue'));
    db.close();
    return value ?? { operations: [] };
  }

  async save(state: PersistedState): Promise<void> {
    const db = await this.open();
    const tx = db.transaction('state', 'readwrite');
    tx.objectStore('state').put(state, 'queue');
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
