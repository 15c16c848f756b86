import { Client } from 'pg';
import { signToken } from '@ripple/auth';
import { eventually } from '@ripple/testing';
import { startBroadstreetSim, type RunningBroadstreetSim } from '../../simulators/src/broadstreet/broadstreet-simulator';
import { apiClient, untilRunFinished, type ApiClient } from './http-client';
import { startRecordingUpstream, type RecordedRequest } from './recording-upstream';
import { startRipple, type RunningRipple } from './ripple-processes';

const JWT_SECRET = 'e2e-secret-at-least-16-chars';
export const BROADSTREET_TOKEN = 'e2e-broadstreet-token';
const TOKEN = BROADSTREET_TOKEN;

export interface BroadstreetWorld {
  sim: RunningBroadstreetSim;
  /** Every request Ripple sent to "Broadstreet", exactly as sent (a recording fake in front of the simulator). */
  wire: RecordedRequest[];
  ripple: RunningRipple;
  /** Through the gateway: the routes to the connectors service are part of what is tested. */
  api: ApiClient;
  admin: string;
  db: Client;
  stop(): Promise<void>;
}

/** A small simulated Broadstreet and Ripple pointed at it, with fast retries so fault tests stay quick. */
export async function startBroadstreetWorld(): Promise<BroadstreetWorld> {
  const sim = await startBroadstreetSim({ accessToken: TOKEN, networks: 1, perParent: 2 });
  const recorder = await startRecordingUpstream(sim.url);
  const ripple = await startRipple({
    BROADSTREET_BASE_URL: recorder.url, BROADSTREET_ACCESS_TOKEN: TOKEN, BROADSTREET_TIMEOUT_MS: '5000', BROADSTREET_RETRY_MIN_MS: '50',
    BROADSTREET_RETRY_MAX_MS: '200', BROADSTREET_RATE_LIMIT_PER_S: '200',
  }).catch(async (err) => {
    await recorder.stop();
    await sim.stop();
    throw err;
  });
  const db = new Client({ connectionString: ripple.db.url });
  await db.connect();
  const admin = signToken({ sub: '0190f5d2-0000-7000-8000-00000000a0a0', role: 'admin', username: 'admin' }, JWT_SECRET, 3600);
  return {
    sim, wire: recorder.requests, ripple, db, admin, api: apiClient(ripple.url),
    stop: async () => {
      await db.end();
      await ripple.stop();
      await recorder.stop();
      await sim.stop();
    },
  };
}

/** Starts a sync run (`all`, `local-all` or one type) and waits until it has finished. */
export async function syncToEnd(w: BroadstreetWorld, what: string): Promise<any> {
  const started = await eventually(
    async () => {
      const res = await w.api.post(`/api/sync/${what}`, undefined, { token: w.admin });
      // A run of a killed process holds the lock until PostgreSQL notices the dead session.
      return res.status === 202 ? res : res.status === 409 ? false : Promise.reject(new Error(`sync ${what}: ${res.status} ${JSON.stringify(res.body)}`));
    },
    { timeoutMs: 30_000, intervalMs: 200, what: `sync ${what} to start` },
  );
  return finishedRun(w, started.body.data.id);
}

export const finishedRun = (w: BroadstreetWorld, id: string): Promise<any> => untilRunFinished(w.api, `/api/sync/runs/${id}`, w.admin);

export async function createLocal(w: BroadstreetWorld, type: string, body: Record<string, unknown>): Promise<any> {
  const res = await w.api.post(`/api/adserver/${type}`, body, { token: w.admin });
  if (res.status !== 201) throw new Error(`create ${type}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data;
}

export const entity = async (w: BroadstreetWorld, type: string, id: string) => (await w.api.get(`/api/adserver/${type}/${id}`, { token: w.admin })).body.data;
