import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TriggerReplayedError } from './hmac';

/**
 * Signatures already used, in PostgreSQL so a replay is refused by any instance
 * and after a restart. A signature only needs remembering while its timestamp
 * is fresh (twice the tolerance covers clock skew either way); older rows go.
 */
@Injectable()
export class SeenSignatures {
  constructor(private readonly db: DataSource) {}

  async useOnce(signature: string, toleranceSeconds: number): Promise<void> {
    await this.db.query(`DELETE FROM connectors.seen_signatures WHERE seen_at < now() - make_interval(secs => $1)`, [toleranceSeconds * 2 + 60]);
    const rows = await this.db.query('INSERT INTO connectors.seen_signatures (signature, seen_at) VALUES ($1, now()) ON CONFLICT DO NOTHING RETURNING 1', [signature]);
    if (rows.length === 0) throw new TriggerReplayedError();
  }
}
