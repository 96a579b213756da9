import { ZkError } from './errors';
import { GUARANTOR_ID_BITS, SCORE_BITS, SCALAR_BITS, randomFieldElement, toBoundedField, toField } from './field';
import { poseidonHash } from './poseidon';

// ---------------------------------------------------------------- pool notes

/** A lender's deposit note. Keep it secret: whoever holds it can withdraw. */
export interface PoolNote {
  readonly nullifier: bigint;
  readonly secret: bigint;
}

export function createPoolNote(): PoolNote {
  return { nullifier: randomFieldElement(), secret: randomFieldElement() };
}

/** The leaf deposited in the pool tree: Poseidon(nullifier, secret). */
export function noteCommitment(note: PoolNote): bigint {
  return poseidonHash([note.nullifier, note.secret]);
}

/** What the withdrawal publishes (and the chaincode records): Poseidon(nullifier). */
export function noteNullifierHash(note: PoolNote): bigint {
  return poseidonHash([note.nullifier]);
}

const NOTE_PREFIX = 'gridledger-note-v1';
export function encodePoolNote(note: PoolNote): string {
  const hex = (v: bigint) => v.toString(16).padStart(64, '0');
  return `${NOTE_PREFIX}-${hex(toField(note.nullifier))}-${hex(toField(note.secret))}`;
}

export function decodePoolNote(text: string): PoolNote {
  const m = typeof text === 'string' ? /^gridledger-note-v1-([0-9a-f]{64})-([0-9a-f]{64})$/.exec(text.trim()) : null;
  if (!m) throw new ZkError('NOT_IN_FIELD', 'not a gridledger-note-v1 string');
  return { nullifier: toField(BigInt('0x' + m[1]), 'nullifier'), secret: toField(BigInt('0x' + m[2]), 'secret') };
}

// ---------------------------------------------------------------- borrower credentials

/**
 * A borrower's identity for credentials. `identity` is the public identity as a field element
 * (identityToField), what tracing reveals; `identitySecret` never leaves the borrower.
 */
export interface BorrowerIdentity {
  readonly identity: bigint;
  readonly identitySecret: bigint;
}

export function createBorrowerIdentity(identity: bigint): BorrowerIdentity {
  const id = toBoundedField(identity, SCALAR_BITS, 'identity');
  return { identity: id, identitySecret: randomFieldElement() };
}

/** Poseidon(identitySecret): what the borrower gives its guarantor instead of the secret. */
export function identitySecretHash(identitySecret: bigint): bigint {
  return poseidonHash([identitySecret]);
}

/**
 * identityCommitment = Poseidon(identity, Poseidon(identitySecret)). The guarantor computes it from
 * the identity it reviewed and the secret hash the borrower gave it.
 */
export function identityCommitment(identity: bigint, secretHash: bigint): bigint {
  return poseidonHash([toBoundedField(identity, SCALAR_BITS, 'identity'), secretHash]);
}

/** The credential leaf a guarantor inserts in its registry: Poseidon(identityCommitment, C_b, guarantorId). */
export function credentialLeaf(idCommitment: bigint, borrowerScore: bigint | number, guarantorId: bigint | number): bigint {
  return poseidonHash([
    toField(idCommitment, 'identityCommitment'),
    toBoundedField(borrowerScore, SCORE_BITS, 'borrowerScore'),
    toBoundedField(guarantorId, GUARANTOR_ID_BITS, 'guarantorId'),
  ]);
}

/** The loan nullifier: Poseidon(identitySecret, leaf). One credential backs one loan. */
export function loanNullifier(identitySecret: bigint, leaf: bigint): bigint {
  return poseidonHash([identitySecret, leaf]);
}

/** Commitment to the repay secret, bound to the loan: Poseidon(repaySecret, loanNullifier). */
export function repayCommitment(repaySecret: bigint, loanNullifierValue: bigint): bigint {
  return poseidonHash([repaySecret, loanNullifierValue]);
}
