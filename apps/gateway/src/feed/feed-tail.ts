import type { FeedReader, FeedRow } from './feed-reader';

/** Rows this instance committed, with each row's audience (FeedTail.offer). */
export type OfferedRows = readonly { row: FeedRow; audience: readonly string[] }[];

/** How long rows offered ahead of the head wait for the rows before them before the tail reads. */
export const GAP_WAIT_MS = 20;
/** Offers held at most: beyond, they are dropped and the gap's read brings them. */
const HELD_MAX = 1000;

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
  /**
   * Offers that could not be taken when they came, by `previous`: during a read, or ahead
   * of the head (two commits of this instance answered out of order: the later one's rows
   * wait for the earlier one's). Settled after every take and read.
   */
  private readonly held = new Map<number, OfferedRows>();
  private gapTimer?: NodeJS.Timeout;
  private gap?: () => void;

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
      } catch (err) {
        this.held.clear(); // the database has them: the next read brings them
        throw err;
      } finally {
        this.reading--;
        this.settle();
      }
    };
    this.queued = this.advancing = this.advancing.then(read, read);
    return this.queued;
  }

  /**
   * Rows this instance's feed writer just committed (`previous`: the feed's head
   * before them), so that a commit costs this instance no query at all. True when
   * the tail took them, or holds them already; false before its first read, when
   * it must read. Rows that cannot be taken yet are held: during a read, until
   * it ends (what it did not bring follows its head then); ahead of the head,
   * until the rows before them are offered too. Commits of one instance take
   * turns on the feed's lock, but their answers may reach it in either order.
   * A gap still open after GAP_WAIT_MS (another instance wrote in between) is
   * read (`onGap`).
   */
  offer(rows: OfferedRows, previous: number): boolean {
    if (this.head < 0 || rows.length === 0) return false;
    if (previous < this.head) return true; // a read brought them: a batch commits whole, so all of them
    if (this.held.size >= HELD_MAX) this.held.clear(); // they are in the database: the gap's read brings them
    this.held.set(previous, rows);
    this.settle();
    return true;
  }

  /** Called when held rows wait on a gap longer than GAP_WAIT_MS: read (advance), then wake the sessions. */
  onGap(read: () => void): void {
    this.gap = read;
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

  /** Takes the held rows that now follow the head, drops those a read brought, and watches the gap before the rest. */
  private settle(): void {
    if (this.reading > 0 || this.queued) return;
    for (const previous of this.held.keys()) if (previous < this.head) this.held.delete(previous);
    for (let next = this.held.get(this.head); next; next = this.held.get(this.head)) {
      this.held.delete(this.head);
      this.take(next);
    }
    if (this.held.size === 0) {
      clearTimeout(this.gapTimer);
      this.gapTimer = undefined;
    } else {
      this.gapTimer ??= setTimeout(() => {
        this.gapTimer = undefined;
        if (this.held.size > 0) this.gap?.();
      }, GAP_WAIT_MS).unref();
    }
  }

  /** Appends rows that follow the head, in order, and forgets the oldest beyond capacity. */
  private take(rows: OfferedRows): void {
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
