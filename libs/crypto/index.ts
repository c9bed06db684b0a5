export * from './keyring';
export * from './link-token';
export * from './passport-number';
export * from './payload-codec';
export * from './chain-mac';
export * from './update-proofs';
