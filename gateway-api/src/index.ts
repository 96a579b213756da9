/** @packageDocumentation The GridLedger REST gateway as a library (the binary is main.ts). */
export * from './config/config';
export * from './config/roles';
export * from './fabric/ledger';
export * from './fabric/fabric-ledger';
export * from './store/store';
export * from './store/sqlite-store';
export * from './store/postgres-store';
export * from './store/create-store';
export * from './http/app';
export * from './http/operation';
export * from './http/problem';
export * from './openapi/document';
export * from './server';
