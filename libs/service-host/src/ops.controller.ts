import { Controller, Get, HttpCode, Param, Post, Query, Res, UseGuards, type Type } from '@nestjs/common';
import { Type as Transform } from 'class-transformer';
import { IsInt, IsOptional, Min } from 'class-validator';
import type { Response } from 'express';
import { BearerAuthGuard, Roles } from '@ripple/auth';
import type { ConfigSpec } from '@ripple/config';
import { NothingPublishedError } from './ops.errors';
import { pipelineReport } from './pipeline-report';
import { ReplayJobs } from './replay-jobs';
import type { ServiceRuntime } from './runtime';

export class RepublishQueryDto {
  /** The event store position to republish from (0: everything). */
  @IsOptional() @Transform(() => Number) @IsInt() @Min(0) from?: number;
}

/**
 * Operators' endpoints of one service at /api/ops/<service>: its pipeline
 * figures (the gateway gathers them at /api/admin/pipeline), replays of its
 * projections, and republishing its events. No request bodies: the gateway
 * parses none for its own routes.
 */
export function opsController(rt: ServiceRuntime<ConfigSpec>): Type<unknown> {
  const replays = new ReplayJobs(rt);

  @Controller(`api/ops/${rt.definition.name}`)
  @UseGuards(BearerAuthGuard)
  @Roles('admin')
  class OpsController {
    @Get('pipeline')
    async pipeline() {
      return { success: true, data: await pipelineReport(rt) };
    }

    /**
     * A blue/green rebuild, its progress streamed as it goes (NDJSON: `{ phase,
     * applied, total }` lines, then `{ status: 'done', lastSequence }` or
     * `{ status: 'failed', error }`), so the answer comes from the instance
     * doing the work. A client that leaves does not stop the rebuild.
     */
    @Post('projections/:name/replay')
    async replay(@Param('name') name: string, @Res() res: Response) {
      const run = replays.claim(name);
      res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
      const line = (o: object) => void (res.writableEnded || res.write(`${JSON.stringify(o)}\n`));
      let last = 0;
      try {
        const lastSequence = await run((p) => {
          if (Date.now() - last < 200 && p.phase === 'rebuilding') return;
          last = Date.now();
          line({ phase: p.phase, applied: p.applied, total: p.total });
        });
        line({ status: 'done', lastSequence });
      } catch (err) {
        line({ status: 'failed', error: (err as Error).message });
      }
      res.end();
    }

    /** Marks the events from `from` on unpublished, so the relay sends them again (after broker data loss); the outbox backlog shows its progress. */
    @Post('republish')
    @HttpCode(200)
    async republish(@Query() q: RepublishQueryDto) {
      if (!rt.relay) throw new NothingPublishedError(rt.definition.name);
      const from = q.from ?? 0;
      const marked = await rt.dataSource.transaction((tx) => rt.eventStore.scheduleRepublish(tx, from));
      rt.logger.event('info', 'events marked for republishing', { from, marked });
      return { success: true, data: { service: rt.definition.name, from, marked } };
    }
  }
  return OpsController;
}
