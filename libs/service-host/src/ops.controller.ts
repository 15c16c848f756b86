import { Controller, Get, HttpCode, Param, Post, Query, Res, UseGuards, type Type } from '@nestjs/common';
import { Type as Transform } from 'class-transformer';
import { IsInt, IsOptional, Min } from 'class-validator';
import { BearerAuthGuard, Roles } from '@ripple/auth';
import { DataSource } from 'typeorm';
import { EventStore } from '@ripple/event-store';
import { streamingResponse } from '@ripple/http-edge';
import { JsonLogger } from '@ripple/observability';
import { NothingPublishedError } from './ops.errors';
import { JetStreamPipeline } from './pipeline/jetstream-pipeline';
import { ReplayJobs } from './replay-jobs';

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
export function opsController(service: string): Type<unknown> {
  @Controller(`api/ops/${service}`)
  @UseGuards(BearerAuthGuard)
  @Roles('admin')
  class OpsController {
    constructor(
      private readonly jetstream: JetStreamPipeline,
      private readonly replays: ReplayJobs,
      private readonly dataSource: DataSource,
      private readonly eventStore: EventStore,
      private readonly logger: JsonLogger,
    ) {}

    @Get('pipeline')
    async pipeline() {
      return { success: true, data: await this.jetstream.report() };
    }

    /**
     * A blue/green rebuild, its progress streamed as it goes (NDJSON: `{ phase,
     * applied, total }` lines, then `{ status: 'done', lastSequence }` or
     * `{ status: 'failed', error }`), so the answer comes from the instance
     * doing the work. A client that leaves does not stop the rebuild.
     */
    @Post('projections/:name/replay')
    async replay(@Param('name') name: string, @Res() reply: unknown) {
      const run = this.replays.claim(name);
      const res = streamingResponse(reply);
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

    /** Puts the events from `from` on back in the outbox, so the relay sends them again (after broker data loss); the outbox backlog shows its progress. */
    @Post('republish')
    @HttpCode(200)
    async republish(@Query() q: RepublishQueryDto) {
      if (!this.jetstream.relay) throw new NothingPublishedError(service);
      const from = q.from ?? 0;
      const marked = await this.dataSource.transaction((tx) => this.eventStore.scheduleRepublish(tx, from));
      this.logger.event('info', 'events marked for republishing', { from, marked });
      return { success: true, data: { service, from, marked } };
    }
  }
  return OpsController;
}
