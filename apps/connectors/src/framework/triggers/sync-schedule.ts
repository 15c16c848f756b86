import type { DataSource } from 'typeorm';
import type { JsonLogger } from '@ripple/observability';
import type { ConnectorRuns } from '../runs/connector-runs';
import { RunInProgressError } from '../runs/run.errors';
import { nextOccurrence, parseCron } from './cron';

/** Timers cannot wait longer than ~24.8 days; wake up hourly and recompute instead. */
const MAX_SLEEP_MS = 3_600_000;

/**
 * Starts a connector on a cron schedule. Every instance runs the timer; the one
 * that inserts the slot's row runs it, so a slot runs once however many instances there are.
 */
export class SyncSchedule {
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(private readonly db: DataSource, private readonly runs: ConnectorRuns, private readonly logger: JsonLogger, readonly connector: string, readonly expression: string) {}

  start(): void {
    const schedule = parseCron(this.expression);
    const arm = () => {
      if (this.stopped) return;
      const next = nextOccurrence(schedule, new Date());
      const wait = next.getTime() - Date.now();
      this.timer = setTimeout(() => (wait > MAX_SLEEP_MS ? arm() : void this.fire(next).finally(arm)), Math.min(wait, MAX_SLEEP_MS));
      this.timer.unref();
    };
    this.logger.event('info', 'sync schedule armed', { connector: this.connector, cron: this.expression });
    arm();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private async fire(slot: Date): Promise<void> {
    try {
      const claimed = await this.db.query('INSERT INTO connectors.schedule_slots (connector, slot) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1', [this.connector, slot]);
      if (!claimed.length) return;
      const run = await this.runs.start(this.connector, 'schedule');
      this.logger.event('info', 'scheduled run started', { connector: this.connector, runId: run.id, slot: slot.toISOString() });
    } catch (err) {
      const level = err instanceof RunInProgressError ? 'info' : 'error';
      this.logger.event(level, 'scheduled run not started', { connector: this.connector, slot: slot.toISOString(), error: (err as Error).message });
    }
  }
}
