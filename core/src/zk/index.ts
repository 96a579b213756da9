/**
 * @packageDocumentation Zero-knowledge toolkit of the lending protocol: Poseidon Merkle trees,
 * notes and credentials, ElGamal on BabyJubJub and trace shares, Groth16 prove / verify per circuit
 * with typed public inputs, and batch verification. See docs/zk.md.
 */
export * from './errors';
export * from './field';
export * from './poseidon';
export * from './merkle';
export * from './babyjub';
export * from './trace';
export * from './notes';
export * from './artifacts';
export * from './groth16';
export * from './circuits';
