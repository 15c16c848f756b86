import { join } from 'node:path';

/** test/bench/dist/support → repository root. */
export const ROOT = join(__dirname, '..', '..', '..', '..');

// The harness in @ripple/testing uses DATABASE_URL / NATS_URL when both are set; the bench defaults them to the local servers.
process.env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';
process.env.NATS_URL ??= 'nats://127.0.0.1:4222';
export const DATABASE_URL = process.env.DATABASE_URL;
export const NATS_URL = process.env.NATS_URL;

export interface Profile {
  name: 'quick' | 'full';
  /** Scenario 0: single updates timed hop by hop. */
  hopUpdates: number;
  /** The CPU profile phase: offered updates/s. */
  profileRate: number;
  /** Scenario 1 and 6: offered rates (updates/s) and seconds per rate. */
  rates: number[];
  rateSeconds: number;
  /** Venue owners the load is spread over (each has one SSE client in scenario 1). */
  owners: number;
  /** Scenario 2: closed-loop concurrency levels and seconds per level. */
  concurrency: number[];
  commandSeconds: number;
  /** Scenario 3: events preloaded; users they are spread over. */
  projectionEvents: number;
  projectionUsers: number;
  /** Scenario 4: events in the replayed stream. */
  replayEvents: number;
  /** Scenario 5: SSE client counts (cumulative) and changes per level. */
  fanout: number[];
  fanoutRounds: number;
}

export const QUICK: Profile = {
  name: 'quick',
  hopUpdates: 30,
  profileRate: 200,
  rates: [10, 25, 50, 100, 200, 400, 800],
  rateSeconds: 8,
  owners: 40,
  concurrency: [16],
  commandSeconds: 8,
  projectionEvents: 50_000,
  projectionUsers: 5_000,
  replayEvents: 100_000,
  fanout: [1_000, 10_000],
  fanoutRounds: 3,
};

export const FULL: Profile = {
  name: 'full',
  hopUpdates: 100,
  profileRate: 400,
  rates: [10, 25, 50, 100, 200, 400, 800],
  rateSeconds: 20,
  owners: 100,
  concurrency: [4, 16, 64],
  commandSeconds: 20,
  projectionEvents: 200_000,
  projectionUsers: 20_000,
  replayEvents: 1_000_000,
  fanout: [1_000, 5_000, 10_000, 15_000],
  fanoutRounds: 5,
};
