import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The change feed's audience rows no longer reference their change by a foreign
 * key: the check ran per audience row as a query that locked the change row it
 * had just inserted (a tuple lock, written to the WAL), about 40% of a feed
 * batch's insert in pgbench (12 changes, 24 audience rows: 0.62–0.84 against
 * 0.39–0.51 ms). Both rows are written by one statement (`writeFeedBatch`), and
 * the retention removes a change's audience with it (`FeedRetention`), as the
 * cascade did.
 */
export class DropChangeAudienceFk1733070000023 implements MigrationInterface {
  name = 'DropChangeAudienceFk1733070000023';

  async up(qr: QueryRunner): Promise<void> {
    await qr.query('ALTER TABLE gateway.change_audience DROP CONSTRAINT IF EXISTS change_audience_position_fkey');
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query('DELETE FROM gateway.change_audience a WHERE NOT EXISTS (SELECT 1 FROM gateway.changes c WHERE c.position = a.position)');
    await qr.query('ALTER TABLE gateway.change_audience ADD CONSTRAINT change_audience_position_fkey FOREIGN KEY (position) REFERENCES gateway.changes (position) ON DELETE CASCADE');
  }
}
