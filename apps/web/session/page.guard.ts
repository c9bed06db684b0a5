import { Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Role } from '@libs/domain/vocabulary';
import { AuthService } from '../../api/auth/auth.service';
import { DomainError } from '../../api/common/domain-error';
import { SignInRequired } from '../page-errors';
import { WebSession, type PageRequest } from './web-session';

const PAGE_ROLES = Symbol('pageRoles');
const SIGNED_OUT_OK = Symbol('signedOutOk');

/** The page needs a signed-in person with one of these roles (none given: anyone signed in). */
export const PageRoles = (...roles: Role[]) => SetMetadata(PAGE_ROLES, roles);

/** The page works without a session (sign-in itself). */
export const SignedOutOk = () => SetMetadata(SIGNED_OUT_OK, true);

/**
 * Authorizes every page: a valid session (the same token checks as the API) and the page's roles,
 * and a valid CSRF token on every state-changing request.
 */
@Injectable()
export class PageGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly session: WebSession,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    const req = context.switchToHttp().getRequest<PageRequest>();
    if (!['GET', 'HEAD'].includes(req.method) && !this.session.csrfValid(req)) {
      throw new DomainError(
        'FORBIDDEN',
        'This form has expired or did not come from Clearance. Reload the page and try again.',
      );
    }
    const token = this.session.token(req);
    if (token) {
      try {
        req.person = await this.auth.authenticate(token);
        req.sessionToken = token;
      } catch {
        req.person = undefined;
      }
    }
    if (this.reflector.getAllAndOverride<boolean>(SIGNED_OUT_OK, targets)) return true;
    if (!req.person) throw new SignInRequired(req.method === 'GET' ? req.originalUrl : '/app');
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(PAGE_ROLES, targets);
    if (roles?.length && !roles.some((role) => req.person!.roles.includes(role))) {
      throw new DomainError('FORBIDDEN', `This page is for: ${roles.join(', ')}.`);
    }
    return true;
  }
}
