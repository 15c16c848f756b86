import type { DataSource, QueryRunner } from 'typeorm';

/**
 * A session-level PostgreSQL advisory lock per connector, held on its own
 * connection for the whole run: every instance sees it, and it is released by
 * the server if the holder dies, so a crashed run never blocks the next one.
 */
export class ConnectorLock {
  private constructor(private readonly qr: QueryRunner, private readonly key: string) {}

  static async tryAcquire(db: DataSource, connector: string): Promise<ConnectorLock | undefined> {
    const qr = db.createQueryRunner();
    await qr.connect();
    const key = `ripple-connector:${connector}`;
    try {
      const [{ locked }] = await qr.query('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [key]);
      if (locked) return new ConnectorLock(qr, key);
    } catch (err) {
      await qr.release();
      throw err;
    }
    await qr.release();
    return undefined;
  }

  async release(): Promise<void> {
    try {
      await this.qr.query('SELECT pg_advisory_unlock(hashtext($1))', [this.key]);
    } finally {
      await this.qr.release();
    }
  }
}
