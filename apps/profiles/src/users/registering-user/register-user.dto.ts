import { Type } from 'class-transformer';
import { IsEmail, IsIn, IsOptional, IsString, Matches, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { USER_ROLES, type UserRole } from '@ripple/contracts';
import { ProfileInfoDto } from '../profile-info.dto';

export class RegisterUserDto {
  @IsString() @Matches(/^[A-Za-z0-9_.-]{3,40}$/, { message: 'username must be 3-40 letters, digits, _, . or -' })
  username: string;

  @IsEmail() @MaxLength(254)
  email: string;

  @IsString() @MinLength(8) @MaxLength(200)
  password: string;

  @IsIn(USER_ROLES as unknown as string[], { message: `role must be one of ${USER_ROLES.join(', ')}` })
  role: UserRole;

  @IsOptional() @ValidateNested() @Type(() => ProfileInfoDto)
  profileInfo?: ProfileInfoDto;
}
