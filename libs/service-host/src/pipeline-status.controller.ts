import { Controller, Get, UseGuards, type Type } from '@nestjs/common';
import { BearerAuthGuard, Roles } from '@ripple/auth';
import type { ConfigSpec } from '@ripple/config';
import type { ServiceRuntime } from './runtime';

/**
 * The pipeline's figures as JSON for operators' screens, at /api/ops/<service>/pipeline:
 * the outbox backlog (committed events JetStream has not acknowledged) and, per
 * projection, its lag (messages pending when its last batch arrived; null before the first) and open dead letters.
 */
export function pipelineStatusController(rt: ServiceRuntime<ConfigSpec>): Type<unknown> {
  const service = rt.definition.name;
  @Controller(`api/ops/${service}/pipeline`)
  @UseGuards(BearerAuthGuard)
  @Roles('admin')
  class PipelineStatusController {
    @Get()
    async status() {
      const { metrics, definition, deadLetters } = rt;
      // Reading the gauge runs its collect: the backlog is counted now, as for a scrape.
      const backlog = (await metrics.outboxBacklog.get()).values[0]?.value;
      const lag = new Map((await metrics.projectionLag.get()).values.map((v) => [String(v.labels.projection), v.value]));
      return {
        success: true,
        data: {
          service,
          outboxBacklog: definition.publishes && Number.isFinite(backlog) ? backlog : null,
          projections: await Promise.all((definition.projections ?? []).map(async (p) => ({
            name: p.name, lag: lag.get(p.name) ?? null, openDeadLetters: await deadLetters.openCount(p.name),
          }))),
        },
      };
    }
  }
  return PipelineStatusController;
}
