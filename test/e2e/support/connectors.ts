import { Client } from 'pg';
import { signToken } from '@ripple/auth';
import { startSimulator, type RunningSimulator } from '../../simulators/src/nowrepblue/simulator';
import { signTrigger } from '../../../apps/connectors/src/framework/triggers/hmac';
import { apiClient, untilRunFinished, type ApiClient } from './http-client';
import { startRipple, type RunningRipple } from './ripple-processes';

export const SYNC_SECRET = 'e2e-sync-secret-0123456789';
const JWT_SECRET = 'e2e-secret-at-least-16-chars';
const API_KEY = 'e2e-nowrepblue-key';

export interface ConnectorsWorld {
  sim: RunningSimulator;
  ripple: RunningRipple;
  /** Through the gateway: the routes to the connectors service are part of what is tested. */
  api: ApiClient;
  admin: string;
  db: Client;
  stop(): Promise<void>;
}

/** A small simulated NowRepBlue and Ripple pointed at it, with fast retries so fault tests stay quick. */
export async function startConnectorsWorld(talents: number, extraEnv: Record<string, string> = {}): Promise<ConnectorsWorld> {
  const sim = await startSimulator({ talents, seed: 7, apiKey: API_KEY });
  const ripple = await startRipple({
    NOWREPBLUE_BASE_URL: sim.url, NOWREPBLUE_API_KEY: API_KEY, NOWREPBLUE_PAGE_SIZE: '50', NOWREPBLUE_TIMEOUT_MS: '1000',
    NOWREPBLUE_RETRY_MIN_MS: '50', NOWREPBLUE_RETRY_MAX_MS: '200', NOWREPBLUE_RATE_LIMIT_PER_S: '500', SYNC_SECRET_KEY: SYNC_SECRET, ...extraEnv,
  }).catch(async (err) => {
    await sim.stop();
    throw err;
  });
  const db = new Client({ connectionString: ripple.db.url });
  await db.connect();
  const admin = signToken({ sub: '0190f5d2-0000-7000-8000-00000000a0a0', role: 'admin', username: 'admin' }, JWT_SECRET, 3600);
  return {
    sim, ripple, db, admin,
    api: apiClient(ripple.url),
    stop: async () => {
      await db.end();
      await ripple.stop();
      await sim.stop();
    },
  };
}

/** Starts a manual run and waits until it has finished; returns the finished run. */
export async function runToEnd(w: ConnectorsWorld): Promise<any> {
  const started = await w.api.post('/api/connectors/nowrepblue/runs', undefined, { token: w.admin });
  if (started.status !== 202) throw new Error(`run not started: ${started.status} ${JSON.stringify(started.body)}`);
  return finished(w, started.body.data.id);
}

export const finished = (w: ConnectorsWorld, runId: string): Promise<any> => untilRunFinished(w.api, `/api/connectors/runs/${runId}`, w.admin);

export function signedTrigger(w: ConnectorsWorld, body: string, opts: { secret?: string; timestamp?: number } = {}) {
  const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
  const signature = signTrigger(opts.secret ?? SYNC_SECRET, timestamp, body);
  const send = () => w.api.call('POST', '/api/internal/orchestrate-sync', { raw: body, headers: { 'x-ripple-timestamp': String(timestamp), 'x-ripple-signature': signature } });
  return { signature, send };
}

export const catalogVersion = async (db: Client) =>
  (await db.query(`SELECT DISTINCT active_version AS active, backup_version AS backup FROM connectors.sync_metadata`)).rows;
