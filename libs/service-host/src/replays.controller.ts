import { BadRequestException, Body, ConflictException, Controller, Get, HttpCode, NotFoundException, Param, ParseUUIDPipe, Post, UseGuards, type Type } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { IsString } from 'class-validator';
import { BearerAuthGuard, Roles } from '@ripple/auth';
import type { ConfigSpec } from '@ripple/config';
import type { ReplayProgress } from '@ripple/projections';
import { rebuildOf, replayableNames } from './replay-jobs';
import type { ServiceRuntime } from './runtime';

export class StartReplayDto {
  @IsString() projection: string;
}

export interface ReplayJob {
  id: string;
  projection: string;
  status: 'running' | 'succeeded' | 'failed';
  phase: ReplayProgress['phase'] | 'starting';
  applied: number;
  total: number;
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
}

/**
 * Replays for operators' screens at /api/ops/<service>/replays: start a blue/green
 * rebuild of one of the service's projections (as `npm run replay` does, here in
 * the service's own process) and read its progress. Jobs are kept in this
 * process's memory: the instance that started one answers for it.
 */
export function replaysController(rt: ServiceRuntime<ConfigSpec>): Type<unknown> {
  const service = rt.definition.name;
  const jobs = new Map<string, ReplayJob>();

  @Controller(`api/ops/${service}/replays`)
  @UseGuards(BearerAuthGuard)
  @Roles('admin')
  class ReplaysController {
    @Post()
    @HttpCode(202)
    start(@Body() dto: StartReplayDto) {
      const rebuild = rebuildOf(rt, dto.projection);
      const known = replayableNames(rt.definition);
      if (!rebuild) throw new BadRequestException({ code: 'VALIDATION_FAILED', message: `projection: ${service} has no projection "${dto.projection}" (it has: ${known.join(', ') || 'none'})`, fields: [{ field: 'projection', errors: [`must be one of: ${known.join(', ')}`] }] });
      const running = [...jobs.values()].find((j) => j.projection === dto.projection && j.status === 'running');
      if (running) throw new ConflictException({ code: 'REPLAY_RUNNING', message: `a replay of ${dto.projection} is running: ${running.id}`, replayId: running.id });
      const job: ReplayJob = { id: randomUUID(), projection: dto.projection, status: 'running', phase: 'starting', applied: 0, total: 0, startedAt: new Date().toISOString(), finishedAt: null, error: null };
      jobs.set(job.id, job);
      const finish = (status: ReplayJob['status'], error: string | null = null) => Object.assign(job, { status, error, finishedAt: new Date().toISOString() });
      rebuild((p) => Object.assign(job, { phase: p.phase, applied: p.applied, total: p.total })).then(() => finish('succeeded'), (err: Error) => {
        rt.logger.event('error', 'replay failed', { projection: dto.projection, error: err.message });
        finish('failed', err.message);
      });
      return { success: true, message: `Replay of ${dto.projection} started`, data: job };
    }

    @Get(':id')
    get(@Param('id', new ParseUUIDPipe()) id: string) {
      const job = jobs.get(id);
      if (!job) throw new NotFoundException({ code: 'NOT_FOUND', message: `no replay ${id} on this instance` });
      return { success: true, data: job };
    }
  }
  return ReplaysController;
}
