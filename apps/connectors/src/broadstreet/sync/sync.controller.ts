import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, UseGuards } from '@nestjs/common';
import { IsIn } from 'class-validator';
import { BearerAuthGuard, Roles } from '@ripple/auth';
import { ConnectorRuns } from '../../framework/runs/connector-runs';
import { RunNotFoundError } from '../../framework/runs/run.errors';
import { validInput } from '../../framework/input/valid-input';
import { ADSERVER_TYPES, REF_TYPE, type AdServerType, type RefKey } from '../adserver-model';
import { AdServerReferenceNotFoundError } from '../adserver.errors';
import { AdServerStore } from '../adserver.store';
import { BROADSTREET_EXPORT } from '../exporting/broadstreet-export.connector';
import { BROADSTREET } from '../importing/broadstreet-import.connector';
import { incrementalFilters, IncrementalSyncDto } from './incremental-filters';

export class SyncTypeParam {
  @IsIn(ADSERVER_TYPES) type!: AdServerType;
}

const OWN = [BROADSTREET, BROADSTREET_EXPORT];

/** Document 004's sync endpoints: import all or one type, export local entities, follow a run. */
@Controller('api/sync')
@UseGuards(BearerAuthGuard)
@Roles('admin')
export class SyncController {
  constructor(private readonly runs: ConnectorRuns, private readonly store: AdServerStore) {}

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

  /**
   * Document 004's `incrementalSync(entityType, filters)`: one type, only under
   * the parents named (`{ advertiser_id }`: that advertiser's campaigns), upserted
   * without clearing anything; the run lists the conflicts it found. Each filter
   * must be an entity already on Broadstreet (imported or exported).
   */
  @Post(':type/incremental')
  @HttpCode(202)
  async incremental(@Param() p: SyncTypeParam, @Body() body: unknown) {
    const filters = incrementalFilters(p.type, await validInput(IncrementalSyncDto, body ?? {}));
    for (const [field, id] of Object.entries(filters)) {
      const target = await this.store.get(id);
      if (!target || target.type !== REF_TYPE[field.replace(/_id$/, '') as RefKey]) throw new AdServerReferenceNotFoundError(field, id);
      if (!target.remoteId) throw new AdServerReferenceNotFoundError(field, id, `${id} is local, not on Broadstreet yet: export it first`);
    }
    const run = await this.runs.start(BROADSTREET, 'manual', { only: [p.type], mode: 'incremental', filters });
    return { success: true, message: `Incremental sync of ${p.type} started`, data: run };
  }

  @Post(':type')
  @HttpCode(202)
  async one(@Param() p: SyncTypeParam) {
    return { success: true, message: `Import of ${p.type} started`, data: await this.runs.start(BROADSTREET, 'manual', { only: [p.type] }) };
  }
}
