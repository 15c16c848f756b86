import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { BearerAuthGuard } from '@ripple/auth';
import { CatalogReader } from './catalog.reader';

export class PageQueryDto {
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1_000_000) page: number = 1;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit: number = 50;
}

export class TalentsQueryDto extends PageQueryDto {
  @IsOptional() @IsString() @MaxLength(100) q?: string;
}

/** The imported catalog, always from the version the `_current` views point at. */
@Controller('api/catalog')
@UseGuards(BearerAuthGuard)
export class CatalogController {
  constructor(private readonly reader: CatalogReader) {}

  @Get('talents')
  async talents(@Query() q: TalentsQueryDto) {
    const r = await this.reader.talents(q.page, q.limit, q.q);
    return { success: true, data: r.items, meta: { page: q.page, limit: q.limit, total: r.total, version: r.version } };
  }

  @Get('talents/:id')
  async talent(@Param('id') id: string) {
    const r = await this.reader.talent(id);
    return { success: true, data: r.item, meta: { version: r.version } };
  }

  @Get('boards')
  async boards(@Query() q: PageQueryDto) {
    const r = await this.reader.boards(q.page, q.limit);
    return { success: true, data: r.items, meta: { page: q.page, limit: q.limit, total: r.total, version: r.version } };
  }

  @Get('boards/:id')
  async board(@Param('id') id: string) {
    const r = await this.reader.board(id);
    return { success: true, data: r.item, meta: { version: r.version } };
  }
}
