import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, UseGuards } from '@nestjs/common';
import { IsIn } from 'class-validator';
import { BearerAuthGuard, Roles } from '@ripple/auth';
import { ConnectorRuns } from '../../framework/runs/connector-runs';
import { RunNotFoundError } from '../../framework/runs/run.errors';
import { ADSERVER_TYPES, type AdServerType } from '../adserver-model';
import { BROADSTREET_EXPORT } from '../exporting/broadstreet-export.connector';
import { BROADSTREET } from '../importing/broadstreet-import.connector';

export class SyncTypeParam {
  @IsIn(ADSERVER_TYPES) type!: AdServerType;
}

const OWN = [BROADSTREET, BROADSTREET_EXPORT];

/** Document 004's sync endpoints: import all or one type, export local entities, follow a run. */
@Controller('api/sync')
@UseGuards(BearerAuthGuard)
@Roles('admin')
export class SyncController {
  constructor(private readonly runs: ConnectorRuns) {}

  @Post('all')
  @HttpCode(202)
  async all() {
    return { success: true, message: 'Import started', data: await this.runs.start(BROADSTREET, 'manual') };
  }

  @Post('local-all')
  @HttpCode(202)
  async localAll() {
    return { success: true, message: 'Export started', data: await this.runs.start(BROADSTREET_EXPORT, 'manual') };
  }

  @Get('runs')
  async list() {
    const runs = await Promise.all(OWN.map((connector) => this.runs.store.list({ connector, limit: 50 })));
    return { success: true, data: runs.flat().sort((a, b) => b.startedAt.localeCompare(a.startedAt)) };
  }

  @Get('runs/:id')
  async run(@Param('id', new ParseUUIDPipe()) id: string) {
    const run = await this.runs.store.get(id);
    if (!OWN.includes(run.connector)) throw new RunNotFoundError(id);
    return { success: true, data: run };
  }

  @Post(':type')
  @HttpCode(202)
  async one(@Param() p: SyncTypeParam) {
    return { success: true, message: `Import of ${p.type} started`, data: await this.runs.start(BROADSTREET, 'manual', { only: [p.type] }) };
  }
}
