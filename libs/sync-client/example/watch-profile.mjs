// Shows the sync client working against a running Ripple (`npm start`):
//   node libs/sync-client/example/watch-profile.mjs <username> <password> [gateway-url]
// Logs in, prints every change to the user's records as it arrives, then queues
// a profile edit (sent with an Idempotency-Key; kept in ./ripple-sync/queue-<user id>.json
// if the gateway is unreachable, and sent when it is back). Ctrl-C to stop.
import { SyncClient, FileQueueStore } from '@ripple/sync-client';

const [username, password, baseUrl = 'http://127.0.0.1:3000'] = process.argv.slice(2);
const login = await fetch(`${baseUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
if (!login.ok) throw new Error(`login failed: ${login.status} ${await login.text()}`);
const { token, user } = (await login.json()).data;

const client = new SyncClient({ baseUrl, userId: user.id, getToken: () => token, store: new FileQueueStore('ripple-sync') });
client.onStatus((s) => console.log(`status: ${s.state}, queued: ${s.queueSize}, failed: ${s.failed.length}`));
client.onReset((reason) => console.log(`feed reset (${reason}): reload your data`));
client.on('*', (c) => console.log(`${c.operation} ${c.tableName}/${c.recordId} v${c.version} ${c.eventType}`, JSON.stringify(c.data)));
await client.start();
await client.send({ method: 'PUT', path: '/api/users/profile', body: { profileInfo: { bio: `edited at ${new Date().toISOString()}` } } });
process.on('SIGINT', () => client.stop().then(() => process.exit(0)));
