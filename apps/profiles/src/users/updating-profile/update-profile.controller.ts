import { createHash } from 'node:crypto';
import { BadRequestException, Body, Controller, Headers, Put, Req, Res, UseGuards } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min, ValidateNested, IsDefined } from 'class-validator';
import { MAX_VERSION } from '@ripple/event-store';
import type { ProfileChanges } from '@ripple/contracts';
import type { ResponseHeaders } from '@ripple/http-edge';
import { BearerAuthGuard, CurrentUser, type AuthUser } from '@ripple/auth';
import { ProfileInfoDto } from '../profile-info.dto';
import { causationOf, parseIfMatch } from '../request-context';
import { updateProfile } from '../user';
import { UserRepository } from '../user.repository';
import { userView } from '../user.view';

export class UpdateProfileDto {
  @IsDefined() @ValidateNested() @Type(() => ProfileInfoDto)
  profileInfo: ProfileInfoDto;

  /** Optimistic concurrency, like If-Match: the version the client last saw. */
  @IsOptional() @IsInt() @Min(0) @Max(MAX_VERSION)
  expectedVersion?: number;
}

@Controller('api/users')
@UseGuards(BearerAuthGuard)
export class UpdateProfileController {
  constructor(private readonly users: UserRepository) {}

  /** Merges the sent fields into the caller's profile; venues and galleras follow through events. */
  @Put('profile')
  async update(@Body() dto: UpdateProfileDto, @CurrentUser() caller: AuthUser, @Headers('if-match') ifMatch: string | undefined, @Req() req: unknown, @Res({ passthrough: true }) res: ResponseHeaders) {
    const headerVersion = parseIfMatch(ifMatch);
    if (headerVersion === 'invalid') throw new BadRequestException({ code: 'INVALID_IF_MATCH', message: 'If-Match must be a version number, e.g. "3"' });
    if (headerVersion !== undefined && dto.expectedVersion !== undefined && headerVersion !== dto.expectedVersion) {
      throw new BadRequestException({ code: 'CONFLICTING_VERSIONS', message: 'If-Match and expectedVersion disagree' });
    }
    const expectedVersion = headerVersion ?? dto.expectedVersion;
    const changes = Object.fromEntries(Object.entries(dto.profileInfo).filter(([, v]) => v !== undefined)) as ProfileChanges;
    const idempotency = idempotencyOf(headerOf(req, 'idempotency-key'), dto);
    const { user, replayed } = await this.users.update(caller.sub, (state) => updateProfile(state, { changes, expectedVersion }), causationOf(req, caller.sub), idempotency);
    res.header('ETag', `"${user.version}"`);
    if (replayed) res.header('Idempotent-Replayed', 'true');
    return { success: true, message: 'Profile updated successfully', data: userView(user) };
  }
}

const IDEMPOTENCY_KEY = /^[\w.:-]{8,128}$/;

const headerOf = (req: unknown, name: string) => (req as { headers: Record<string, string | undefined> }).headers[name];

/** A retry must repeat the request exactly; the same key with another body is refused rather than guessed at. */
function idempotencyOf(key: string | undefined, dto: UpdateProfileDto) {
  if (key === undefined) return undefined;
  if (!IDEMPOTENCY_KEY.test(key)) throw new BadRequestException({ code: 'INVALID_IDEMPOTENCY_KEY', message: 'Idempotency-Key must be 8 to 128 letters, digits, or . _ : -' });
  return { key, requestHash: createHash('sha256').update(JSON.stringify(dto)).digest('hex') };
}
