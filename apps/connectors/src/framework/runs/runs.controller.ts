import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, UseGuards } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { BearerAuthGuard, Roles } from '@ripple/auth';
import { RUN_MODES, type RunMode } from '../connector';
import { validInput } from '../input/valid-input';
import { ConnectorRuns } from './connector-runs';
import type { RunStatus } from './run.store';

export class RunsQueryDto {
  @IsOptional() @IsString() connector?: string;
  @IsOptional() @IsIn(['running', 'succeeded', 'failed']) status?: RunStatus;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit: number = 50;
}

export class StartRunDto {
  @IsOptional() @IsIn(RUN_MODES) mode?: RunMode;
}

/** Runs for operators: list, one run with per-entity progress, and a manual start. */
@Controller('api/connectors')
@UseGuards(BearerAuthGuard)
@Roles('admin')
export class RunsController {
  constructor(private readonly runs: ConnectorRuns) {}

  @Get('runs')
  async list(@Query() q: RunsQueryDto) {
    return { success: true, data: await this.runs.store.list(q) };
  }

  @Get('runs/:id')
  async get(@Param('id', new ParseUUIDPipe()) id: string) {
    return { success: true, data: await this.runs.store.get(id) };
  }

  /** The body is optional (`{ mode }`), which the edge's pipe cannot say: it is checked here. */
  @Post(':connector/runs')
  @HttpCode(202)
  async start(@Param('connector') connector: string, @Body() body: unknown) {
    const { mode } = await validInput(StartRunDto, body ?? {});
    return { success: true, message: 'Run started', data: await this.runs.start(connector, 'manual', { mode }) };
  }
}
