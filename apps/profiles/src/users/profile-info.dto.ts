import { IsEmail, IsInt, IsOptional, IsString, IsUrl, Max, MaxLength, Min } from 'class-validator';

/**
 * The profile fields a client may send. Unknown fields are rejected by the
 * strict validation pipe; `null` (or an empty string) clears a field.
 */
export class ProfileInfoDto {
  @IsOptional() @IsString() @MaxLength(200) fullName?: string | null;
  @IsOptional() @IsString() @MaxLength(40) phone?: string | null;
  @IsOptional() @IsString() @MaxLength(500) address?: string | null;
  @IsOptional() @IsString() @MaxLength(2000) bio?: string | null;
  @IsOptional() @IsString() @MaxLength(200) businessName?: string | null;

  @IsOptional() @IsString() @MaxLength(200) venueName?: string | null;
  @IsOptional() @IsString() @MaxLength(300) venueLocation?: string | null;
  @IsOptional() @IsString() @MaxLength(2000) venueDescription?: string | null;
  @IsOptional() @IsEmail() venueEmail?: string | null;
  @IsOptional() @IsUrl({ require_protocol: true }) venueWebsite?: string | null;

  @IsOptional() @IsString() @MaxLength(200) galleraName?: string | null;
  @IsOptional() @IsString() @MaxLength(300) galleraLocation?: string | null;
  @IsOptional() @IsString() @MaxLength(2000) galleraDescription?: string | null;
  @IsOptional() @IsEmail() galleraEmail?: string | null;
  @IsOptional() @IsUrl({ require_protocol: true }) galleraWebsite?: string | null;
  @IsOptional() @IsString() @MaxLength(500) galleraSpecialties?: string | null;
  @IsOptional() @IsInt() @Min(0) @Max(100000) galleraActiveRoosters?: number | null;
}
