import type { DataSource, EntityManager } from 'typeorm';
import { CATALOG_AGGREGATE, uuidv7, type CatalogVersionSwitchedData, type ConnectorsEvent } from '@ripple/contracts';
import type { EventStore, NewEvent } from '@ripple/event-store';
import { SERVICE_ACTOR } from '../../framework/runs/run-events';
import { CATALOG_ENTITIES } from '../catalog-entities';
import { changeChunks, countsOf, type EntityChanges } from './change-chunks';
import { SCHEMA } from './catalog-sql';
import { catalogState, planRollback, viewSwitchStatements, type ImportPlan, type RollbackPlan, type Version, type VersionState } from './version-plan';

/** The catalog's aggregate id, which is also its connector's name. */
export const CATALOG_ID = 'nowrepblue';
const NAMES = CATALOG_ENTITIES.map((e) => e.name);
/** Ids per change event: about 15 KB of JSON, far below JetStream's 1 MB message limit. */
const IDS_PER_EVENT = 1000;

/** Serializes view switches against readers: readers share this lock, a switch takes it alone. */
export const lockGateForReading = (tx: EntityManager) => tx.query(`LOCK TABLE ${SCHEMA}.catalog_gate IN ACCESS SHARE MODE`);
const lockGateForSwitching = (tx: EntityManager) => tx.query(`LOCK TABLE ${SCHEMA}.catalog_gate IN ACCESS EXCLUSIVE MODE`);

/** sync_metadata and the `<entity>_current` views: which version serves, which is the backup. */
export class CatalogVersions {
  constructor(private readonly db: DataSource, private readonly events: EventStore) {}

  async state(tx: EntityManager | DataSource = this.db): Promise<VersionState> {
    const rows = await tx.query(`SELECT entity_name AS entity, active_version AS active, backup_version AS backup FROM ${SCHEMA}.sync_metadata`);
    return catalogState(rows, NAMES);
  }

  /** Empties the target tables: neither served nor the backup, so nobody reads them. */
  async beginWriting(plan: ImportPlan): Promise<void> {
    await this.db.query(`TRUNCATE ${NAMES.map((n) => `${SCHEMA}.${n}_v${plan.target}`).join(', ')}`);
  }

  /** The switch: every view, the metadata and the change events commit together or not at all. */
  async switchTo(plan: ImportPlan, runId: string, changes: Map<string, EntityChanges & { rows: number }>): Promise<void> {
    const entities: CatalogVersionSwitchedData['entities'] = {};
    const events: NewEvent<ConnectorsEvent>[] = [];
    for (const [entity, c] of changes) {
      entities[entity] = { rows: c.rows, ...countsOf(c) };
      for (const data of changeChunks(runId, entity, plan.target, c, IDS_PER_EVENT)) events.push({ type: 'CatalogEntityChanged', data });
    }
    events.push({ type: 'CatalogVersionSwitched', data: { runId, version: plan.target, previousVersion: plan.previous, entities } });
    await this.db.transaction(async (tx) => {
      await lockGateForSwitching(tx);
      await this.repoint(tx, plan.target, plan.afterSwitch, runId);
      await this.append(tx, events, runId);
    });
  }

  /**
   * Repoints the views to the backup version; the caller holds the connector
   * lock, so no run is writing. The cursors belong to the version left behind,
   * so they go: the next incremental run fetches everything.
   */
  async rollback(): Promise<RollbackPlan> {
    return this.db.transaction(async (tx) => {
      await lockGateForSwitching(tx);
      const plan = planRollback(await this.state(tx));
      await this.repoint(tx, plan.to, plan.afterSwitch, null);
      await tx.query(`DELETE FROM ${SCHEMA}.connector_cursors WHERE connector = $1`, [CATALOG_ID]);
      await this.append(tx, [{ type: 'CatalogRolledBack', data: { version: plan.to, previousVersion: plan.from } }], uuidv7());
      return plan;
    });
  }

  private async repoint(tx: EntityManager, to: Version, after: VersionState, runId: string | null): Promise<void> {
    for (const sql of viewSwitchStatements(SCHEMA, NAMES, to)) await tx.query(sql);
    await tx.query(
      `UPDATE ${SCHEMA}.sync_metadata SET active_version = $1, backup_version = $2, run_id = coalesce($3, run_id), switched_at = now() WHERE entity_name = ANY($4)`,
      [after.active, after.backup, runId, NAMES],
    );
  }

  private async append(tx: EntityManager, events: NewEvent<ConnectorsEvent>[], causationId: string): Promise<void> {
    await this.events.append(tx, {
      aggregateType: CATALOG_AGGREGATE,
      aggregateId: CATALOG_ID,
      expectedVersion: await this.events.currentVersion(tx, CATALOG_ID),
      events,
      context: { correlationId: causationId, causationId, actor: SERVICE_ACTOR },
    });
  }
}
