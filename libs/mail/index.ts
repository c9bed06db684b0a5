export * from './mail-templates';
export * from './mailer';
export * from './smtp-capture';
