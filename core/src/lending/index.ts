export * from './params';
export * from './requests';
export * from './loan-math';
export * from './proof-requests';
