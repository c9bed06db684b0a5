export * from './data-source';
export * from './directory.repository';
export * from './entities';
export * from './request.repository';
export * from './sent-email.repository';
