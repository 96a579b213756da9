/**
 * @packageDocumentation Two-party payment channels, chain-independent: states and their digest,
 * Ed25519 co-signatures, revocation and breach evidence, HTLCs, routing, multi-hop plans, the
 * settlement rule the chaincode applies, and one party's state machine. See docs/channels.md.
 */
export { ChannelError, type ChannelErrorCode } from './errors';
export * from './amount';
export * from './state';
export * from './signing';
export * from './revocation';
export * from './htlc';
export * from './update';
export * from './routing';
export * from './multihop';
export * from './settlement';
export * from './channel';
export * from './onchain';
