import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';
import { pooledRandomBytes } from '@ripple/contracts';

export interface FeedPosition {
  epoch: string;
  position: number;
}

export class ForgedCursorError extends Error {
  readonly code = 'CURSOR_INVALID';
  constructor() {
    super('cursor was not issued to this user by this feed');
  }
}

const MAX_CURSOR_LENGTH = 256;

/**
 * Cursors are sealed (AES-256-GCM, key derived from the JWT secret) with the
 * user id as associated data: a client cannot read or forge one, and a cursor
 * issued to another user fails to open, exactly like a forged one.
 */
export class CursorCodec {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = createHmac('sha256', secret).update('ripple-sync-cursor-v1').digest();
  }

  encode(userId: string, at: FeedPosition): string {
    // A fresh random nonce per cursor (GCM must never reuse one under a key), from the pooled generator.
    const iv = Buffer.from(pooledRandomBytes(12));
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(userId));
    const body = Buffer.concat([cipher.update(`${at.epoch}/${at.position}`, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
  }

  decode(userId: string, cursor: string): FeedPosition {
    if (cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw new ForgedCursorError();
    const raw = Buffer.from(cursor, 'base64url');
    if (raw.length < 12 + 16 + 3) throw new ForgedCursorError();
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
      decipher.setAAD(Buffer.from(userId));
      decipher.setAuthTag(raw.subarray(raw.length - 16));
      const text = Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString('utf8');
      const [epoch, position] = text.split('/');
      const n = Number(position);
      if (!epoch || !Number.isSafeInteger(n) || n < 0) throw new ForgedCursorError();
      return { epoch, position: n };
    } catch {
      throw new ForgedCursorError();
    }
  }
}
