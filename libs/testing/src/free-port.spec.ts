import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { freePort } from './harness';

describe('freePort', () => {
  it('hands out distinct ports below the kernel ephemeral range, each one bindable', async () => {
    const ephemeralFrom = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    const ports: number[] = [];
    for (let i = 0; i < 50; i++) ports.push(await freePort());
    expect(new Set(ports).size).toBe(50);
    for (const port of ports) expect(port).toBeLessThan(ephemeralFrom);
    // Each is free to listen on, as a service started on it would.
    for (const port of ports.slice(0, 5)) {
      await new Promise<void>((resolve, reject) => {
        const srv = createServer();
        srv.once('error', reject);
        srv.listen(port, '127.0.0.1', () => srv.close(() => resolve()));
      });
    }
  });
});
