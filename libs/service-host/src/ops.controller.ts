import { Controller, Get, UseGuards, type Type } from '@nestjs/common';
import { BearerAuthGuard, Roles } from '@ripple/auth';
import type { ConfigSpec } from '@ripple/config';
import { pipelineReport } from './pipeline-report';
import type { ServiceRuntime } from './runtime';

/** Operators' view of one service's pipeline at /api/ops/<service>/pipeline (the gateway gathers them at /api/admin/pipeline). */
export function opsController(rt: ServiceRuntime<ConfigSpec>): Type<unknown> {
  @Controller(`api/ops/${rt.definition.name}`)
  @UseGuards(BearerAuthGuard)
  @Roles('admin')
  class OpsController {
    @Get('pipeline')
    async pipeline() {
      return { success: true, data: await pipelineReport(rt) };
    }
  }
  return OpsController;
}
