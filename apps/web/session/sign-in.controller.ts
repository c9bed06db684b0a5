import { Body, Controller, Get, Inject, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import type { AppConfig } from '@libs/config';
import { DirectoryRepository } from '@libs/persistence';
import { Public } from '../../api/auth/auth.decorators';
import { AuthService } from '../../api/auth/auth.service';
import { APP_CONFIG } from '../../api/common/tokens';
import { PageExceptionFilter } from '../page.filter';
import { Pages, safeNext } from '../pages';
import { OidcSignIn } from './oidc-sign-in';
import { PageGuard, SignedOutOk } from './page.guard';
import { WebSession, type PageRequest } from './web-session';

/** Signing in and out of the pages; the landing page sends each person where their work is. */
@ApiExcludeController()
@Public()
@UseGuards(PageGuard)
@UseFilters(PageExceptionFilter)
@Controller('app')
export class SignInController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly pages: Pages,
    private readonly session: WebSession,
    private readonly auth: AuthService,
    private readonly directory: DirectoryRepository,
    private readonly oidc: OidcSignIn,
  ) {}

  @Get()
  home(@Req() req: PageRequest, @Res() res: Response): void {
    const roles = req.person!.roles;
    const home = roles.includes('approver')
      ? '/app/inbox'
      : roles.includes('custodian')
        ? '/app/custody'
        : roles.includes('auditor') || roles.includes('admin')
          ? '/app/dashboard'
          : '/app/requests';
    res.redirect(303, home);
  }

  @SignedOutOk()
  @Get('sign-in')
  async signInPage(@Req() req: PageRequest, @Res() res: Response, @Query('next') next?: string): Promise<void> {
    const people = this.config.devMode ? (await this.directory.list({ limit: 200 })).items : [];
    this.pages.send(req, res, 'sign-in', 'Sign in', {
      data: {
        people,
        next: safeNext(next),
        oidc: this.oidc.enabled ? this.oidc.providerName : null,
        notice: req.person ? `You are signed in as ${req.person.name}; choosing someone else switches.` : null,
      },
    });
  }

  /** Dev mode: act as a seeded person (the same token dev-login gives). */
  @SignedOutOk()
  @Post('sign-in')
  async signIn(@Body() body: Record<string, unknown>, @Req() req: PageRequest, @Res() res: Response): Promise<void> {
    const email = typeof body.email === 'string' ? body.email : '';
    const { accessToken, expiresIn } = await this.auth.devLogin(email);
    this.session.start(res, accessToken, expiresIn);
    res.redirect(303, safeNext(body.next));
  }

  @SignedOutOk()
  @Get('auth/login')
  async oidcLogin(@Res() res: Response, @Query('next') next?: string): Promise<void> {
    if (!this.oidc.enabled) {
      res.redirect(303, '/app/sign-in');
      return;
    }
    await this.oidc.begin(res, safeNext(next));
  }

  @SignedOutOk()
  @Get('auth/callback')
  async oidcCallback(@Req() req: PageRequest, @Res() res: Response): Promise<void> {
    if (!this.oidc.enabled) {
      res.redirect(303, '/app/sign-in');
      return;
    }
    try {
      const { token, expiresIn, next } = await this.oidc.complete(req, res);
      await this.auth.authenticate(token);
      this.session.start(res, token, expiresIn);
      res.redirect(303, next);
    } catch (error) {
      this.pages.send(req, res, 'sign-in', 'Sign in', {
        status: 401,
        data: {
          oidc: this.oidc.providerName,
          problem: `Signing in did not work: ${error instanceof Error ? error.message : 'unknown error'}.`,
        },
      });
    }
  }

  @Post('sign-out')
  signOut(@Res() res: Response): void {
    this.session.end(res);
    res.redirect(303, '/app/sign-in');
  }
}
