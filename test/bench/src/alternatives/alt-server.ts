import { createServer, type ServerResponse } from 'node:http';
import { Client, Pool } from 'pg';
import { bearerSubject, readBody, send } from './plain-http';

/**
 * The alternatives of scenario 6 as one small raw-node HTTP process (run as its
 * own process, like Ripple's apps), pool of 10 connections like each Ripple service:
 *   PUT /a/profile   synchronous propagation: user row and venue row in ONE transaction; 200 after commit.
 *   PUT /b/profile   user row only; the trigger writes the venue row and NOTIFYs; 200 after commit.
 *   GET /b/events    SSE: a LISTEN connection pushes each notification to the owner's clients.
 * Every request verifies an HS256 bearer token, as Ripple's guard does.
 */
const databaseUrl = process.env.DATABASE_URL!;
const secret = process.env.JWT_SECRET!;
const pool = new Pool({ connectionString: databaseUrl, max: 10, application_name: 'bench-alternative' });
const clients = new Map<string, Set<ServerResponse>>();
let eventId = 0;

const PROFILE_KEYS = new Set(['fullName', 'venueName', 'venueLocation', 'venueDescription', 'venueEmail', 'venueWebsite', 'businessName']);

async function updateSync(userId: string, changes: Record<string, unknown>) {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    const { rows } = await c.query(
      'UPDATE alt_sync.users SET profile_info = profile_info || $2::jsonb, version = version + 1, updated_at = now() WHERE id = $1 RETURNING profile_info, version',
      [userId, JSON.stringify(changes)],
    );
    if (rows.length === 0) throw new Error('no such user');
    const p = rows[0].profile_info;
    await c.query(
      `UPDATE alt_sync.venues SET name = coalesce($2, name), location = coalesce($3, location), description = coalesce($4, ''), updated_at = now(), version = version + 1 WHERE owner_id = $1`,
      [userId, p.venueName ?? null, p.venueLocation ?? null, p.venueDescription ?? null],
    );
    await c.query('COMMIT');
    return rows[0];
  } catch (err) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    c.release();
  }
}

async function updateTriggered(userId: string, changes: Record<string, unknown>) {
  const { rows } = await pool.query(
    'UPDATE alt_trg.users SET profile_info = profile_info || $2::jsonb, version = version + 1, updated_at = now() WHERE id = $1 RETURNING profile_info, version',
    [userId, JSON.stringify(changes)],
  );
  if (rows.length === 0) throw new Error('no such user');
  return rows[0];
}

const server = createServer(async (req, res) => {
  try {
    if (req.url === '/health') return send(res, 200, { ok: true });
    const userId = bearerSubject(req, secret);
    if (!userId) return send(res, 401, { success: false, error: { code: 'AUTH_REQUIRED' } });
    if (req.method === 'PUT' && (req.url === '/a/profile' || req.url === '/b/profile')) {
      const body = await readBody(req);
      const info = body?.profileInfo;
      if (typeof info !== 'object' || info === null || Object.keys(info).some((k) => !PROFILE_KEYS.has(k) || typeof info[k] !== 'string')) {
        return send(res, 400, { success: false, error: { code: 'VALIDATION_FAILED' } });
      }
      const row = req.url === '/a/profile' ? await updateSync(userId, info) : await updateTriggered(userId, info);
      return send(res, 200, { success: true, data: { id: userId, version: row.version, profileInfo: row.profile_info } });
    }
    if (req.method === 'GET' && req.url === '/b/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      res.write(`retry: 1000\n\ndata: ${JSON.stringify({ type: 'connected', userId })}\n\n`);
      const set = clients.get(userId) ?? clients.set(userId, new Set()).get(userId)!;
      set.add(res);
      req.on('close', () => set.delete(res));
      return;
    }
    send(res, 404, { success: false });
  } catch (err) {
    send(res, 500, { success: false, error: { message: (err as Error).message } });
  }
});

async function main() {
  const listener = new Client({ connectionString: databaseUrl, application_name: 'bench-alternative-listen' });
  await listener.connect();
  listener.on('notification', (n) => {
    const change = JSON.parse(n.payload ?? '{}');
    const set = clients.get(change.ownerId);
    if (!set) return;
    const frame = `id: ${++eventId}\ndata: ${JSON.stringify({ type: 'data_change', tableName: 'venues', recordId: change.venueId, data: change })}\n\n`;
    for (const res of set) res.write(frame);
  });
  await listener.query('LISTEN alt_changes');
  server.keepAliveTimeout = 60_000;
  server.listen(Number(process.env.PORT), '127.0.0.1');
  process.on('SIGTERM', () => {
    for (const set of clients.values()) for (const r of set) r.end();
    server.close(() => void Promise.all([pool.end(), listener.end()]).finally(() => process.exit(0)));
    server.closeAllConnections();
  });
}

void main();
