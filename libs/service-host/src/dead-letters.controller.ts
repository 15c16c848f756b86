import { Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, UseGuards, type Type } from '@nestjs/common';
import { IsIn, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { Type as Transform } from 'class-transformer';
import { BearerAuthGuard, Roles } from '@ripple/auth';
import type { DeadLetterStatus, DeadLetterStore } from '@ripple/projections';
import { NoProjectionsError } from './ops.errors';
import { JetStreamPipeline } from './pipeline/jetstream-pipeline';

export class DeadLetterQueryDto {
  @IsOptional() @IsIn(['open', 'resolved', 'discarded']) status?: DeadLetterStatus;
  @IsOptional() @IsString() projection?: string;
  @IsOptional() @Transform(() => Number) @IsInt() @Min(1) @Max(1000) limit?: number;
}

/**
 * Operators' view of a service's dead letters at /api/ops/<service>/dead-letters:
 * list, inspect, retry (the event and those parked behind it), discard.
 */
export function deadLettersController(service: string): Type<unknown> {
  @Controller(`api/ops/${service}/dead-letters`)
  @UseGuards(BearerAuthGuard)
  @Roles('admin')
  class DeadLettersController {
    constructor(private readonly pipeline: JetStreamPipeline) {}

    /** A service that runs no projections has no dead-letter table. */
    private store(): DeadLetterStore {
      if (this.pipeline.projections().length === 0) throw new NoProjectionsError(service);
      return this.pipeline.deadLetters;
    }

    @Get()
    async list(@Query() q: DeadLetterQueryDto) {
      return { success: true, data: await this.store().list(q) };
    }

    @Get(':id')
    async get(@Param('id', new ParseUUIDPipe()) id: string) {
      return { success: true, data: await this.store().get(id) };
    }

    @Post(':id/retry')
    @HttpCode(200)
    async retry(@Param('id', new ParseUUIDPipe()) id: string) {
      const resolved = await this.store().retry(id);
      return { success: true, message: `${resolved.length} event(s) applied`, data: resolved };
    }

    @Delete(':id')
    async discard(@Param('id', new ParseUUIDPipe()) id: string) {
      return { success: true, message: 'Dead letter discarded', data: await this.store().discard(id) };
    }
  }
  return DeadLettersController;
}
