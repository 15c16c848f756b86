import { createParamDecorator, Inject, Injectable, SetMetadata, UnauthorizedException, ForbiddenException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ExpiredTokenError, verifyToken, type TokenClaims } from './jwt';

export const JWT_SECRET = Symbol('JWT_SECRET');
const ROLES = 'ripple:roles';

export type AuthUser = TokenClaims;

/** Restricts a route to callers with one of these roles (checked by BearerAuthGuard). */
export const Roles = (...roles: string[]) => SetMetadata(ROLES, roles);

export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return m?.[1];
}

/** Requires `Authorization: Bearer <jwt>`; puts the claims on the request for @CurrentUser(). */
@Injectable()
export class BearerAuthGuard implements CanActivate {
  constructor(@Inject(JWT_SECRET) private readonly secret: string, private readonly reflector: Reflector) {}

  canActivate(ctx: ExecutionContext): boolean {
    const req = ctx.switchToHttp().getRequest();
    const token = bearerToken(req.headers.authorization);
    if (!token) throw new UnauthorizedException({ code: 'AUTH_REQUIRED', message: 'Authorization: Bearer <token> is required' });
    try {
      req.user = verifyToken(token, this.secret);
    } catch (err) {
      const code = err instanceof ExpiredTokenError ? 'TOKEN_EXPIRED' : 'INVALID_TOKEN';
      throw new UnauthorizedException({ code, message: (err as Error).message });
    }
    const roles = this.reflector.getAllAndOverride<string[] | undefined>(ROLES, [ctx.getHandler(), ctx.getClass()]);
    if (roles && !roles.includes(req.user.role)) {
      throw new ForbiddenException({ code: 'FORBIDDEN', message: `requires role ${roles.join(' or ')}` });
    }
    return true;
  }
}

export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthUser => ctx.switchToHttp().getRequest().user);
