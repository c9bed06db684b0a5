export * from './csl-csv';
export * from './matcher';
export * from './normalize';
export * from './screening.service';
export * from './identity';
