import type { FeedReader, FeedRow } from './feed-reader';

interface TailRow {
  row: FeedRow;
  audience: ReadonlySet<string>;
}

export interface TailSlice {
  rows: FeedRow[];
  /** Every change up to here has been considered for the user: their position may move to it. */
  upTo: number;
}

/** Who the changes in (from, to] are for; a session that is none of them (and no admin) has nothing to take. */
export interface TailChanges {
  from: number;
  to: number;
  users: ReadonlySet<string>;
}

/**
 * The newest changes, read once per announced commit and shared by every
 * session of this instance that is caught up, so a commit costs one query
 * however many clients are connected. A session further behind than the
 * retained rows reads its own feed from the database, as on resume.
 */
export class FeedTail {
  private rows: TailRow[] = [];
  private floor = -1;
  private head = -1;
  private advancing: Promise<void> = Promise.resolve();
  /** A read waiting for the one before it to finish. */
  private queued?: Promise<void>;
  /** Reads started and not finished. */
  private reading = 0;

  /** `observe` sees every change the tail reads, once, in order. */
  constructor(private readonly reader: FeedReader, private readonly capacity = 5000, private readonly pageSize = 1000, private readonly observe?: (row: FeedRow) => void) {}

  /** The highest position this tail has read (-1 before its first read). */
  get position(): number {
    return this.head;
  }

  /**
   * Reads what committed since the last read; calls are serialized. Calls made
   * while a read waits for its turn share it (it starts after them, so it sees
   * what they were told about): a burst of announcements costs one read.
   */
  advance(): Promise<void> {
    if (this.queued) return this.queued;
    const read = async () => {
      this.queued = undefined;
      this.reading++;
      try {
        await this.readNew();
      } finally {
        this.reading--;
      }
    };
    this.queued = this.advancing = this.advancing.then(read, read);
    return this.queued;
  }

  /**
   * Rows this instance's feed writer just committed, taken as read when they
   * follow what the tail holds (`previous` is its head: nothing committed in
   * between) and no read is under way; otherwise false, and the tail must read.
   * A commit then costs this instance no query at all.
   */
  offer(rows: readonly { row: FeedRow; audience: readonly string[] }[], previous: number): boolean {
    if (this.reading > 0 || this.queued || this.head < 0 || previous !== this.head) return false;
    this.take(rows);
    return true;
  }

  /**
   * The user's changes after `after`, or undefined if the tail no longer holds
   * everything after it. Costs a binary search plus the rows after `after`,
   * however many rows the tail retains.
   */
  slice(userId: string, admin: boolean, after: number): TailSlice | undefined {
    if (this.head < 0 || after < this.floor) return undefined;
    const rows: FeedRow[] = [];
    for (let i = this.firstAfter(after); i < this.rows.length; i++) {
      const t = this.rows[i];
      if (admin || t.audience.has(userId)) rows.push(t.row);
    }
    return { rows, upTo: Math.max(after, this.head) };
  }

  /** Who the changes after `after` are for, or undefined if the tail no longer holds them all. */
  changedSince(after: number): TailChanges | undefined {
    if (this.head < 0 || after < this.floor) return undefined;
    const users = new Set<string>();
    for (let i = this.firstAfter(after); i < this.rows.length; i++) for (const u of this.rows[i].audience) users.add(u);
    return { from: after, to: this.head, users };
  }

  /** Index of the first retained row past `position` (rows are kept in position order). */
  private firstAfter(position: number): number {
    let lo = 0;
    let hi = this.rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.rows[mid].row.position <= position) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private async readNew(): Promise<void> {
    if (this.head < 0) {
      this.head = await this.reader.head();
      this.floor = this.head;
    }
    for (;;) {
      const page = await this.reader.readAll(this.head, this.pageSize);
      this.take(page);
      if (page.length < this.pageSize) break;
    }
  }

  /** Appends rows that follow the head, in order, and forgets the oldest beyond capacity. */
  private take(rows: readonly { row: FeedRow; audience: readonly string[] }[]): void {
    for (const { row, audience } of rows) {
      this.rows.push({ row, audience: new Set(audience) });
      this.observe?.(row);
    }
    if (rows.length > 0) this.head = rows[rows.length - 1].row.position;
    if (this.rows.length > this.capacity) {
      const dropped = this.rows.splice(0, this.rows.length - this.capacity);
      this.floor = dropped[dropped.length - 1].row.position;
    }
  }
}
