import { IsISO8601, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { Present } from '../records/present';

export class ScheduleUserEventDto {
  @IsUUID() vetId: string;
  @IsOptional() @IsUUID() petId?: string;
  @IsString() @MinLength(1) @MaxLength(200) title: string;
  @IsISO8601({ strict: true }) startsAt: string;
}

export class UpdateUserEventDto {
  @Present() @IsString() @MinLength(1) @MaxLength(200) title?: string;
  @Present() @IsISO8601({ strict: true }) startsAt?: string;
}
