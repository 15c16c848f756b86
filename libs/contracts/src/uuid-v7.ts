import { randomFillSync } from 'node:crypto';

let lastMs = 0;
let seq = 0;

// Random bytes are drawn 4 KiB at a time: one call into the system's generator (a syscall, about
// 6 µs on this kind of VM) per 256 ids, not one per id.
const pool = Buffer.allocUnsafe(4096);
let poolAt = pool.length;

/**
 * `size` (at most 4096) bytes from the system's cryptographic generator, drawn in 4 KiB blocks: a
 * view that the next call may overwrite, so use it (or copy it) at once. Each byte is handed out once.
 */
export function pooledRandomBytes(size: number): Buffer {
  if (size > pool.length) throw new RangeError(`at most ${pool.length} pooled random bytes at a time`);
  if (poolAt + size > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  poolAt += size;
  return pool.subarray(poolAt - size, poolAt);
}

/**
 * RFC 9562 UUIDv7: 48-bit unix milliseconds, then a 12-bit counter that keeps ids
 * from one process strictly increasing within a millisecond, then random bits.
 */
export function uuidv7(now = Date.now()): string {
  const b = pooledRandomBytes(16);
  if (now <= lastMs) {
    seq = (seq + 1) & 0xfff;
    if (seq === 0) lastMs += 1;
    now = lastMs;
  } else {
    lastMs = now;
    // A random start (bytes 6 and 7 are overwritten below), low enough to leave room for the counter.
    seq = b.readUInt16BE(6) & 0x3ff;
  }
  b.writeUIntBE(now, 0, 6);
  b[6] = 0x70 | (seq >> 8);
  b[7] = seq & 0xff;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
