import type { LinkTokens } from '../libs/crypto';
import type { Mailer } from '../libs/mail';
import type { DirectoryRepository, RequestRepository, SentEmailRepository } from '../libs/persistence';
import { MailActivities } from './mail.activities';
import { ProjectionActivities } from './projection.activities';

export interface ActivityDeps {
  requests: RequestRepository;
  directory: DirectoryRepository;
  sentEmails: SentEmailRepository;
  mailer: Mailer;
  linkTokens: LinkTokens;
  publicUrl: string;
}

/** Binds the activity classes to their dependencies; the worker registers the result. */
export function createActivities(deps: ActivityDeps) {
  const projection = new ProjectionActivities(deps.requests);
  const mail = new MailActivities(deps);
  return {
    projectState: projection.projectState.bind(projection),
    notifyParty: mail.notifyParty.bind(mail),
    notifyRequester: mail.notifyRequester.bind(mail),
  };
}
