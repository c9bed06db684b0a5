import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { Person } from '@libs/domain/person';
import type { Role } from '@libs/domain/vocabulary';

export const IS_PUBLIC = Symbol('isPublic');
export const REQUIRED_ROLES = Symbol('requiredRoles');

/** Routes outside /api that authorize by other means (signed link, dev-only, health). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** The caller needs at least one of these roles. */
export const Roles = (...roles: Role[]) => SetMetadata(REQUIRED_ROLES, roles);

export type AuthenticatedRequest = Request & { person?: Person };

export const CurrentPerson = createParamDecorator((_: unknown, ctx: ExecutionContext): Person => {
  const person = ctx.switchToHttp().getRequest<AuthenticatedRequest>().person;
  if (!person) throw new Error('CurrentPerson used on a route without authentication');
  return person;
});
