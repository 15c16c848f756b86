import { Present } from '../records/present';
import { IsNumber, IsOptional, IsPositive, IsString, IsUUID, Matches, Max, MaxLength, ValidateIf } from 'class-validator';

const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

export class RecordHealthVisitDto {
  @IsUUID() petId: string;
  @IsUUID() vetId: string;
  @IsOptional() @IsNumber() @IsPositive({ message: 'weightKg must be a positive number' }) @Max(2000) weightKg?: number;
  @Matches(DATE, { message: 'visitDate must be a date, YYYY-MM-DD' }) visitDate: string;
  @IsOptional() @IsString() @MaxLength(5000) notes?: string;
}

/** A weight corrected here flows to the pet when this is its latest record. */
export class UpdateHealthRecordDto {
  @ValidateIf((_o, v) => v !== null) @IsOptional() @IsNumber() @IsPositive({ message: 'weightKg must be a positive number' }) @Max(2000) weightKg?: number | null;
  @Present() @Matches(DATE, { message: 'visitDate must be a date, YYYY-MM-DD' }) visitDate?: string;
  @Present() @IsString() @MaxLength(5000) notes?: string;
}
