import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { DirectoryQueryDto } from './directory-query.dto';
import { DirectoryReader } from './directory.reader';

@Controller('api/venues')
export class VenuesController {
  constructor(private readonly reader: DirectoryReader) {}

  @Get()
  async list(@Query() q: DirectoryQueryDto) {
    return { success: true, ...(await this.reader.list('venue', q)) };
  }

  @Get(':id')
  async get(@Param('id', new ParseUUIDPipe()) id: string) {
    return { success: true, data: await this.reader.get('venue', id) };
  }
}

@Controller('api/galleras')
export class GallerasController {
  constructor(private readonly reader: DirectoryReader) {}

  @Get()
  async list(@Query() q: DirectoryQueryDto) {
    return { success: true, ...(await this.reader.list('gallera', q)) };
  }

  @Get(':id')
  async get(@Param('id', new ParseUUIDPipe()) id: string) {
    return { success: true, data: await this.reader.get('gallera', id) };
  }
}
