import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, UseGuards, type Type } from '@nestjs/common';
import { Type as Transform } from 'class-transformer';
import { IsInt, IsOptional, Min } from 'class-validator';
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

    /** Starts a blue/green rebuild; poll `replays/:id` for its progress. */
    @Post('projections/:name/replay')
    @HttpCode(202)
    replay(@Param('name') name: string) {
      return { success: true, data: replays.start(name) };
    }

    @Get('replays')
    listReplays() {
      return { success: true, data: replays.list() };
    }

    @Get('replays/:id')
    replayState(@Param('id', new ParseUUIDPipe()) id: string) {
      return { success: true, data: replays.get(id) };
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
