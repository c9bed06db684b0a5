export * from './config';
export * from './encryption-keys';
export * from './project-root';
