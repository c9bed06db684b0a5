export * from './connection-options';
