import { Controller, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { SignedBody, type JsonBodyRequest } from '@ripple/http-edge';
import { SERVICE_CONFIG } from '@ripple/service-host';
import type { ConnectorsConfig } from '../../connectors.definition';
import { NOWREPBLUE } from '../../catalog/importing/nowrepblue.connector';
import { RUN_MODES, type RunMode } from '../connector';
import { validInput } from '../input/valid-input';
import { ConnectorRuns } from '../runs/connector-runs';
import { MalformedTriggerBodyError, SIGNATURE_HEADER, TIMESTAMP_HEADER, TriggerSignatureError, verifyTrigger } from './hmac';
import { SeenSignatures } from './seen-signatures';

export class OrchestrateSyncDto {
  @IsOptional() @IsString() @Matches(/^[a-z0-9-]{1,64}$/) connector?: string;
  @IsOptional() @IsIn(RUN_MODES) mode?: RunMode;
}

/**
 * The upstream's webhook: "data changed, sync now". Signed with SYNC_SECRET_KEY
 * (HMAC-SHA256 over timestamp "." body). The signature is checked before the
 * body, so an unsigned or forged request learns nothing about what a valid body is.
 */
@Controller('api/internal')
export class OrchestrateSyncController {
  constructor(@Inject(SERVICE_CONFIG) private readonly config: ConnectorsConfig, private readonly seen: SeenSignatures, private readonly runs: ConnectorRuns) {}

  @Post('orchestrate-sync')
  @HttpCode(202)
  @SignedBody()
  async orchestrate(@Req() req: JsonBodyRequest) {
    if (!req.rawBody) throw new TriggerSignatureError('missing');
    const header = (name: string) => (typeof req.headers[name] === 'string' ? (req.headers[name] as string) : undefined);
    const signature = header(SIGNATURE_HEADER);
    verifyTrigger({ timestamp: header(TIMESTAMP_HEADER), signature, rawBody: req.rawBody }, this.config.SYNC_SECRET_KEY, Date.now(), this.config.SYNC_SIGNATURE_TOLERANCE_S);
    if (req.bodyError) throw new MalformedTriggerBodyError(req.bodyError);
    const body = await validInput(OrchestrateSyncDto, req.body);
    await this.seen.useOnce(signature!, this.config.SYNC_SIGNATURE_TOLERANCE_S);
    const run = await this.runs.start(body.connector ?? NOWREPBLUE, 'webhook', { mode: body.mode });
    return { success: true, message: 'Sync started', data: run };
  }
}
