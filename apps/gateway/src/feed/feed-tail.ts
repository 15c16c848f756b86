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

  constructor(private readonly reader: FeedReader, private readonly capacity = 5000, private readonly pageSize = 1000) {}

  /** The highest position this tail has read (-1 before its first read). */
  get position(): number {
    return this.head;
  }

  /** Reads what committed since the last read; calls are serialized. */
  advance(): Promise<void> {
    this.advancing = this.advancing.then(() => this.readNew(), () => this.readNew());
    return this.advancing;
  }

  /** The user's changes after `after`, or undefined if the tail no longer holds everything after it. */
  slice(userId: string, admin: boolean, after: number): TailSlice | undefined {
    if (this.head < 0 || after < this.floor) return undefined;
    const rows = this.rows.filter((t) => t.row.position > after && (admin || t.audience.has(userId))).map((t) => t.row);
    return { rows, upTo: Math.max(after, this.head) };
  }

  private async readNew(): Promise<void> {
    if (this.head < 0) {
      this.head = await this.reader.head();
      this.floor = this.head;
    }
    for (;;) {
      const page = await this.reader.readAll(this.head, this.pageSize);
      for (const { row, audience } of page) this.rows.push({ row, audience: new Set(audience) });
      if (page.length > 0) this.head = page[page.length - 1].row.position;
      if (page.length < this.pageSize) break;
    }
    if (this.rows.length > this.capacity) {
      const dropped = this.rows.splice(0, this.rows.length - this.capacity);
      this.floor = dropped[dropped.length - 1].row.position;
    }
  }
}
