/**
 * Fabric client helpers for off-chain code (gateway, CLI, tests, benches). Not re-exported from the
 * package root, so the chaincode never loads the client libraries: import `@gridledger/core/dist/fabric`.
 */
export * from './connect';
export * from './errors';
