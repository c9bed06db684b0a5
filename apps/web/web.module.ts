import { Module, RequestMethod, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { AdminPagesController } from './admin/admin-pages.controller';
import { DelegationPagesController } from './approvals/delegation-pages.controller';
import { InboxPagesController } from './approvals/inbox-pages.controller';
import { AssetsController } from './assets.controller';
import { AuditPagesController } from './audit/audit-pages.controller';
import { CustodyPagesController } from './custody/custody-pages.controller';
import { DashboardPagesController } from './dashboard/dashboard-pages.controller';
import { PageExceptionFilter } from './page.filter';
import { Pages } from './pages';
import { PeopleNames } from './people-names';
import { RequestPagesController } from './requests/request-pages.controller';
import { UploadFormMiddleware } from './requests/upload-form.middleware';
import { OidcSignIn } from './session/oidc-sign-in';
import { PageGuard } from './session/page.guard';
import { SignInController } from './session/sign-in.controller';
import { WebSession } from './session/web-session';
import { Views } from './views';
import { NotFoundPagesController } from './not-found-pages.controller';

/**
 * The pages under /app: server-rendered HTML over the same JSON API scripts use, for employees,
 * approvers, custodians, auditors and admins. Needs the API's providers (AppModule is global).
 */
@Module({
  controllers: [
    SignInController,
    AssetsController,
    RequestPagesController,
    AuditPagesController,
    AdminPagesController,
    DashboardPagesController,
    InboxPagesController,
    DelegationPagesController,
    CustodyPagesController,
    // last: what no page above matched
    NotFoundPagesController,
  ],
  providers: [Views, Pages, PeopleNames, WebSession, OidcSignIn, PageGuard, PageExceptionFilter],
  /** The approval-link page reads who is signed in (a link decides only for its recipient). */
  exports: [WebSession],
})
export class WebModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(UploadFormMiddleware)
      .forRoutes(
        { path: 'app/requests/:id/authorizations/:kind/document', method: RequestMethod.POST },
        { path: 'app/requests/:id/materials/:index/document', method: RequestMethod.POST },
      );
  }
}
