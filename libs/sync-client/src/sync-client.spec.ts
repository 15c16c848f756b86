import { SyncClient } from './sync-client.js';

describe('SyncClient lifecycle', () => {
  it('stops at once while waiting to reconnect, and runs start/stop/start (React StrictMode) as one running client', async () => {
    let connects = 0;
    const unreachable: typeof fetch = async () => {
      connects++;
      throw new TypeError('network is down');
    };
    // A minute between attempts: stop() must not wait it out.
    const client = new SyncClient({ baseUrl: 'http://127.0.0.1:9', userId: 'u1', getToken: () => 't', fetch: unreachable, backoff: { baseMs: 60_000, maxMs: 60_000 } });
    void client.start();
    void client.stop();
    void client.start();
    await new Promise((resolve) => client.onStatus((s) => s.state === 'offline' && resolve(undefined)));
    await client.stop();
    expect(connects).toBe(2);
    expect(client.status().state).toBe('offline');
  });
});
