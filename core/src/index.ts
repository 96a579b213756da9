/** @packageDocumentation Code shared by the chaincode, the gateway and the CLI. */
export * from './orgs';
export * from './canonical-json';
export * from './connection-profile';
export * from './errors';
export * from './lending';
export * from './market';
export * from './zk';
export * from './identity';
/** Payment channels, namespaced because names like `Side` and `settle` are generic. */
export * as channels from './channels';
export * from './crypto/ed25519';
export * from './refusal-codes';
