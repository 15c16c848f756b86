import type { ApiClient } from '../../e2e/support/http-client';

export interface WorkloadUser {
  id: string;
  token: string;
  /** Index in the run, part of every value it writes. */
  n: number;
}

/**
 * Acknowledged writes, as a careful client makes them: each user edits their
 * profile one write after another (a new venueName each time), each write with
 * its own Idempotency-Key and retried with that same key until it gets a 2xx,
 * whatever the fault (refused connection, 5xx, timeout). A write counts as
 * acknowledged only once a 2xx came back.
 */
export class Workload {
  /** Per user, the values acknowledged, in order. */
  readonly acked = new Map<string, string[]>();
  /** Per user, a value sent but never acknowledged (the run ended while it was being retried). */
  readonly pending = new Map<string, string>();
  retries = 0;
  private stopping = false;
  private loops: Promise<void>[] = [];

  constructor(private readonly api: ApiClient, private readonly users: WorkloadUser[], private readonly label: string, private readonly pauseMs = 100) {}

  start(): void {
    this.loops = this.users.map((u) => this.write(u));
  }

  /** Stops after each user's write in flight is acknowledged (or gives up on it after `giveUpMs`). */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.loops);
  }

  get acknowledged(): number {
    return [...this.acked.values()].reduce((n, v) => n + v.length, 0);
  }

  private async write(u: WorkloadUser): Promise<void> {
    const acked: string[] = [];
    this.acked.set(u.id, acked);
    for (let i = 1; !this.stopping; i++) {
      const value = `${this.label}-${u.n}-${i}`;
      const key = `fault-${value}`;
      this.pending.set(u.id, value);
      const giveUpAt = Date.now() + 120_000;
      for (;;) {
        const status = await this.api
          .put('/api/users/profile', { profileInfo: { venueName: value } }, { token: u.token, headers: { 'idempotency-key': key } })
          .then((r) => r.status, () => 0);
        if (status >= 200 && status < 300) break;
        if (status >= 400 && status < 500 && status !== 408 && status !== 429) throw new Error(`write ${value} refused with ${status}`);
        if (Date.now() > giveUpAt) return;
        this.retries++;
        await sleep(200);
      }
      acked.push(value);
      this.pending.delete(u.id);
      await sleep(this.pauseMs);
    }
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
