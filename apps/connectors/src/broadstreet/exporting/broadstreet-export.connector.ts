import type { ConnectorDefinition, RunInfo } from '../../framework/connector';
import type { RetryPolicy } from '../../framework/http/backoff';
import { WaitBudget } from '../../framework/http/upstream-client';
import { ADSERVER_ENTITIES, type AdServerType } from '../adserver-model';
import type { AdServerStore } from '../adserver.store';
import type { BroadstreetApi } from '../broadstreet-api';
import { BROADSTREET } from '../importing/broadstreet-import.connector';
import { exportEntity } from './export-entity';
import { exportVerdict } from './export-outcome';

export const BROADSTREET_EXPORT = 'broadstreet-export';

export interface ExportConnectorDeps {
  store: AdServerStore;
  api: BroadstreetApi;
  retry: RetryPolicy;
  /** Total Retry-After one run may wait for, across all its calls. */
  rateLimitBudgetMs: number;
}

interface ExportPlan {
  budget: WaitBudget;
}

/**
 * Export of local entities (document 004), type by type in dependency order
 * (independent types in parallel, by the framework). Only an auth error stops
 * the run; any other failure stays on its entity, and its dependents are skipped.
 */
export function broadstreetExportConnector(deps: ExportConnectorDeps): ConnectorDefinition<ExportPlan> {
  return {
    name: BROADSTREET_EXPORT,
    // Shares the import's lock: an import replacing the production copy mid-export would pull references from under it.
    lockKey: BROADSTREET,
    entities: ADSERVER_ENTITIES,
    prepare: async () => ({ budget: new WaitBudget(deps.rateLimitBudgetMs) }),
    async transform(entity: string, plan: ExportPlan, run: RunInfo) {
      const rows = await deps.store.list(entity as AdServerType, 'local');
      const track = run.track(entity);
      track.total(rows.length);
      let exported = 0;
      for (const row of rows) {
        run.signal.throwIfAborted();
        try {
          const r = await exportEntity(row, { store: deps.store, api: deps.api, retry: deps.retry, budget: plan.budget, signal: run.signal, onRetry: track.retry });
          track.count(r.outcome);
          exported += 1;
        } catch (err) {
          run.signal.throwIfAborted();
          const v = exportVerdict(err);
          await deps.store.recordFailure(row.id, { at: new Date().toISOString(), category: v.category, message: v.message });
          if (!v.mayHaveWritten) await deps.store.dropIntent(row.id);
          if (v.action === 'stop') throw err;
          track.count(v.action);
        }
      }
      return exported;
    },
    complete: async () => undefined,
  };
}
