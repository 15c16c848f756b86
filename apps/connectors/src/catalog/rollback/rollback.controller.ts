import { Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { BearerAuthGuard, Roles } from '@ripple/auth';
import { ConnectorRuns } from '../../framework/runs/connector-runs';
import { CatalogVersions } from '../importing/catalog-versions';
import { NOWREPBLUE } from '../importing/nowrepblue.connector';

/** Repoints the catalog to its backup version; refused (409) while an import runs or when there is no backup. */
@Controller('api/connectors/catalog')
@UseGuards(BearerAuthGuard)
@Roles('admin')
export class RollbackController {
  constructor(private readonly runs: ConnectorRuns, private readonly versions: CatalogVersions) {}

  @Post('rollback')
  @HttpCode(200)
  async rollback() {
    const plan = await this.runs.exclusively(NOWREPBLUE, () => this.versions.rollback());
    return { success: true, message: `Catalog rolled back to version ${plan.to}`, data: { version: plan.to, previousVersion: plan.from } };
  }
}
