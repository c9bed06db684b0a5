export * from './config';
export * from './project-root';
