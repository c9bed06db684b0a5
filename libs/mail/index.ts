export * from './mail-templates';
export * from './mailer';
export * from './smtp-capture';
export * from './mailbox';
