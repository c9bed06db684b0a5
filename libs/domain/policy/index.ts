export * from './default-policy';
export * from './evaluate';
export * from './policy-schema';
export * from './dry-run';
