import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The feed keeps a window: `pruned_through` is the highest position pruned (a
 * cursor below it gets `reset` too_old), and audience rows are found by position
 * when their change is pruned (the cascade) instead of by a scan each.
 */
export class AddFeedRetention1733050000021 implements MigrationInterface {
  name = 'AddFeedRetention1733050000021';

  async up(qr: QueryRunner): Promise<void> {
    await qr.query('ALTER TABLE gateway.feed_meta ADD COLUMN pruned_through bigint NOT NULL DEFAULT 0');
    await qr.query('CREATE INDEX change_audience_position_idx ON gateway.change_audience (position)');
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query('DROP INDEX gateway.change_audience_position_idx');
    await qr.query('ALTER TABLE gateway.feed_meta DROP COLUMN pruned_through');
  }
}
