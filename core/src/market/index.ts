/**
 * The trading-cycle double auction of paper 2 (price matching mechanism): types, validation,
 * book order, one-pass matching, paged clearing for the chaincode, and re-pricing for the next cycle.
 * See docs/market.md.
 *
 * @packageDocumentation
 */
export * from './types';
export * from './errors';
export { validateOrder, validateOrders, seqFromTxTimestamp, isOrderSide, MARKET_ID_PATTERN, MARKET_OWNER_PATTERN } from './validate';
export { compareAsks, compareBids, crosses, transactionPrice, sortBook, bookSortAttributes } from './order-book';
export { matchCycle } from './match';
export * from './clearing';
export * from './reprice';
export * from './onchain';
