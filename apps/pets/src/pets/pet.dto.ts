import { Present } from '../records/present';
import { IsNumber, IsOptional, IsPositive, IsString, IsUUID, Max, MaxLength, MinLength, ValidateIf } from 'class-validator';

export class RegisterPetDto {
  @IsString() @MinLength(1) @MaxLength(100) name: string;
  @IsString() @MinLength(1) @MaxLength(60) species: string;
  @IsOptional() @IsString() @MaxLength(100) breed?: string | null;
  @IsOptional() @IsNumber() @IsPositive({ message: 'weightKg must be a positive number' }) @Max(2000) weightKg?: number;
  @IsOptional() @IsUUID() emergencyContactUserId?: string | null;
}

/** Only the fields sent change; `null` clears breed or the emergency contact. */
export class UpdatePetDto {
  @Present() @IsString() @MinLength(1) @MaxLength(100) name?: string;
  @Present() @IsString() @MinLength(1) @MaxLength(60) species?: string;
  @ValidateIf((_o, v) => v !== null) @IsOptional() @IsString() @MaxLength(100) breed?: string | null;
  @Present() @IsNumber() @IsPositive({ message: 'weightKg must be a positive number' }) @Max(2000) weightKg?: number;
  @ValidateIf((_o, v) => v !== null) @IsOptional() @IsUUID() emergencyContactUserId?: string | null;
}
