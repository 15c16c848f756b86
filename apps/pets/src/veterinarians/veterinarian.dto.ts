import { Present } from '../records/present';
import { IsEmail, IsOptional, IsString, IsUUID, MaxLength, MinLength, ValidateIf } from 'class-validator';

export class RegisterVeterinarianDto {
  @IsString() @MinLength(1) @MaxLength(200) name: string;
  @IsString() @MinLength(1) @MaxLength(200) clinicName: string;
  @IsOptional() @IsString() @MaxLength(40) phone?: string;
  @IsOptional() @IsEmail() email?: string;
  /** A user with the veterinarian role: their profile phone is copied (unless `phone` is given) and kept in sync; the later of a profile change and an edit here wins. */
  @IsOptional() @IsUUID() userId?: string;
}

export class UpdateVeterinarianDto {
  @Present() @IsString() @MinLength(1) @MaxLength(200) name?: string;
  @Present() @IsString() @MinLength(1) @MaxLength(200) clinicName?: string;
  @ValidateIf((_o, v) => v !== null) @IsOptional() @IsString() @MaxLength(40) phone?: string | null;
  @ValidateIf((_o, v) => v !== null) @IsOptional() @IsEmail() email?: string | null;
}
