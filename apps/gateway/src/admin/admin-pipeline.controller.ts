import { Controller, Get, Headers, Inject, UseGuards } from '@nestjs/common';
import { BearerAuthGuard, Roles } from '@ripple/auth';
import { gatherPipeline, type PipelineSources } from './pipeline-sources';

export const PIPELINE_SOURCES = Symbol('PIPELINE_SOURCES');

/**
 * Admin: per app, each projection's lag and open dead letters and the outbox
 * backlog, asked of every service with the caller's own token (the services check it too).
 */
@Controller('api/admin')
@UseGuards(BearerAuthGuard)
@Roles('admin')
export class AdminPipelineController {
  constructor(@Inject(PIPELINE_SOURCES) private readonly sources: PipelineSources) {}

  @Get('pipeline')
  async pipeline(@Headers('authorization') authorization: string) {
    return { success: true, data: { services: await gatherPipeline(this.sources, authorization) } };
  }
}
