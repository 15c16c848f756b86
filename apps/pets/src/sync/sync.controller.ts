import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Req, UseGuards } from '@nestjs/common';
import { Type } from 'class-transformer';
import { DataSource } from 'typeorm';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { BearerAuthGuard, CurrentUser, Roles, type AuthUser } from '@ripple/auth';
import { correlationIdOf } from '@ripple/http-edge';
import { DeadLetterStore } from '@ripple/projections';
import { isAdmin } from '../access/access';
import { NotAllowedError } from '../pets.errors';
import { causationOf } from '../records/request-context';
import { BatchSyncJobs } from './batch-sync.jobs';
import { fullSyncOperations } from './full-sync';
import { ForceSync } from './force-sync';
import { failedEntry, SyncLogReader, type LogStatus } from './sync-log.reader';
import { SYNC_TARGETS, type SyncTarget } from './sync-target';

export class SyncLogQueryDto {
  @IsOptional() @IsUUID() userId?: string;
  @IsOptional() @IsIn(['synced', 'forced', 'overwritten', 'failed']) status?: LogStatus;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit: number = 100;
}

export class SyncOperationDto {
  @IsIn(SYNC_TARGETS as unknown as string[], { message: `type must be one of ${SYNC_TARGETS.join(', ')}` }) type: SyncTarget;
  @IsUUID() targetId: string;
  @IsOptional() @IsString() @MaxLength(100) label?: string;
}

export class FullSyncDto {
  /** Whose data; a non-admin may name only themselves (the default). */
  @IsOptional() @IsUUID() userId?: string;
}

export class BatchSyncDto {
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(100) @ValidateNested({ each: true }) @Type(() => SyncOperationDto) operations: SyncOperationDto[];
}

@Controller('api/sync')
@UseGuards(BearerAuthGuard)
export class SyncController {
  constructor(
    private readonly log: SyncLogReader, private readonly deadLetters: DeadLetterStore, private readonly force: ForceSync,
    private readonly batches: BatchSyncJobs, private readonly dataSource: DataSource,
  ) {}

  /** What changed where, from which event, for which user; a non-admin sees their own entries. */
  @Get('log')
  async list(@Query() q: SyncLogQueryDto, @CurrentUser() caller: AuthUser) {
    if (!isAdmin(caller) && q.userId && q.userId !== caller.sub) throw new NotAllowedError('you may read only your own sync log');
    return { success: true, data: await this.log.list({ ...q, userId: isAdmin(caller) ? q.userId : caller.sub }) };
  }

  @Get('failed')
  @Roles('admin')
  async failed() {
    return { success: true, data: await this.log.failed(undefined, 500) };
  }

  @Post('failed/:id/retry')
  @Roles('admin')
  @HttpCode(200)
  async retry(@Param('id', new ParseUUIDPipe()) id: string) {
    const resolved = await this.deadLetters.retry(id);
    return { success: true, message: `${resolved.length} propagation(s) applied`, data: resolved.map(failedEntry).map((e) => ({ ...e, status: 'resolved' })) };
  }

  @Delete('failed/:id')
  @Roles('admin')
  async clear(@Param('id', new ParseUUIDPipe()) id: string) {
    const discarded = await this.deadLetters.discard(id);
    return { success: true, message: 'Failed propagation cleared', data: { ...failedEntry(discarded), status: 'discarded' } };
  }

  @Post('force')
  @HttpCode(200)
  async forceSync(@Body() dto: SyncOperationDto, @CurrentUser() caller: AuthUser, @Req() req: unknown) {
    return { success: true, data: await this.force.run(caller, dto, causationOf(req, caller.sub)) };
  }

  @Post('batch')
  @HttpCode(202)
  async batch(@Body() dto: BatchSyncDto, @CurrentUser() caller: AuthUser, @Req() req: unknown) {
    return { success: true, data: await this.batches.start(caller, dto.operations, correlationIdOf(req)) };
  }

  /** The document's full sync (`queueFullSync`): a force sync of everything the user's data reaches, as a job. */
  @Post('full')
  @HttpCode(202)
  async full(@Body() dto: FullSyncDto, @CurrentUser() caller: AuthUser, @Req() req: unknown) {
    const userId = dto.userId ?? caller.sub;
    if (!isAdmin(caller) && userId !== caller.sub) throw new NotAllowedError('you may run a full sync only of your own data');
    const operations = await fullSyncOperations(this.dataSource.manager, userId);
    return { success: true, data: await this.batches.start(caller, operations, correlationIdOf(req), { userId }) };
  }

  @Get('batch/:id')
  async progress(@Param('id', new ParseUUIDPipe()) id: string, @CurrentUser() caller: AuthUser) {
    return { success: true, data: await this.batches.get(caller, id) };
  }
}
