import type { PubAck } from '@nats-io/jetstream';
import type { DataSource } from 'typeorm';
import { streamName, type BoundedContext } from '@ripple/contracts';
import { DEFAULT_STREAM_SETTINGS, DUPLICATE_WINDOW_MS, ensureStream, type Broker, type StreamSettings } from '@ripple/messaging';
import type { JsonLogger } from '@ripple/observability';
import { republishSince, streamLoss, type StreamMark } from './stream-loss';
import { EventStore, quoteIdent } from '@ripple/event-store';

export interface StreamGuardOptions {
  schema: string;
  context: BoundedContext;
  namespace: string;
  streams?: StreamSettings;
}

/**
 * Keeps the outbox relay's stream whole: re-creates it when it is gone, and when
 * it lost events the relay had published (re-created empty, or behind what its
 * PubAcks said), puts them back in the outbox so the relay sends them again. Consumers
 * apply by aggregate version, so what they already had is skipped.
 *
 * Nothing here runs per message beyond comparing PubAck sequences in memory:
 * `check` runs when the relay starts leading, when a publish finds no stream, when
 * a PubAck's sequence goes backwards, and on the service's slow periodic check.
 */
export class StreamGuard {
  private readonly stream: string;
  private readonly settings: StreamSettings;
  /** Highest sequence a PubAck reported in the current incarnation of the stream. */
  private acked = 0;
  /** undefined: not read yet; null: none recorded. */
  private mark?: StreamMark | null;
  private checking?: Promise<void>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly broker: Broker,
    private readonly opts: StreamGuardOptions,
    private readonly logger: JsonLogger,
  ) {
    this.stream = streamName(opts.namespace, opts.context);
    this.settings = opts.streams ?? DEFAULT_STREAM_SETTINGS;
  }

  /** Forgets what this process saw (another relay may have led meanwhile). */
  reset(): void {
    this.acked = 0;
    this.mark = undefined;
  }

  /** True if a new message got a sequence at or below one acked before: the stream started over. */
  noteAcks(acks: PubAck[]): boolean {
    const before = this.acked;
    let regressed = false;
    for (const a of acks) {
      if (a.duplicate) continue;
      if (a.seq <= before) regressed = true;
      if (a.seq > this.acked) this.acked = a.seq;
    }
    return regressed;
  }

  /** One check at a time; a caller arriving during one shares it. */
  check(): Promise<void> {
    return (this.checking ??= this.checkOnce().finally(() => (this.checking = undefined)));
  }

  private async checkOnce(): Promise<void> {
    await ensureStream(this.broker, this.opts.namespace, this.opts.context, this.settings);
    const acked = this.acked;
    const info = await this.broker.jsm.streams.info(this.stream);
    const now = { created: info.created, lastSeq: info.state.last_seq, lastTs: info.state.last_ts };
    if (this.mark === undefined) this.mark = await this.readMark();
    const loss = streamLoss(this.mark ?? undefined, acked, now);
    if (loss) {
      const since = republishSince(loss, { now: new Date(), maxAgeMs: this.settings.maxAgeMs, duplicateWindowMs: DUPLICATE_WINDOW_MS });
      const store = new EventStore(this.opts.schema);
      const n = await this.dataSource.transaction((tx) => store.scheduleRepublish(tx, 0, since));
      this.logger.event('warn', 'the stream lost events this relay had published: publishing them again', { stream: this.stream, ...loss, since: since?.toISOString() ?? 'all', events: n });
      this.acked = now.lastSeq;
    } else {
      this.acked = Math.max(this.acked, now.lastSeq);
    }
    if (this.mark?.created !== now.created || this.mark.highSeq !== now.lastSeq) await this.writeMark({ created: now.created, highSeq: now.lastSeq });
  }

  private async readMark(): Promise<StreamMark | null> {
    const [row] = await this.dataSource.query(`SELECT created, high_seq::float8 AS "highSeq" FROM ${this.table()} WHERE stream = $1`, [this.stream]);
    return row ?? null;
  }

  private async writeMark(mark: StreamMark): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO ${this.table()} (stream, created, high_seq) VALUES ($1, $2, $3)
       ON CONFLICT (stream) DO UPDATE SET created = excluded.created, high_seq = excluded.high_seq, recorded_at = now()`,
      [this.stream, mark.created, mark.highSeq],
    );
    this.mark = mark;
  }

  private table(): string {
    return `${quoteIdent(this.opts.schema)}.outbox_streams`;
  }
}
