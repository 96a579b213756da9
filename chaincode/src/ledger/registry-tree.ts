import { Context } from 'fabric-contract-api';
import { EMPTY_LEAF, hashNode, TREE_DEPTH, zeroHashes } from '@gridledger/core';
import { refuse } from './errors';
import { key, view } from './view';

/** How many recent roots a proof may be made against (proofs take time to make and relay). */
export const ROOT_WINDOW = 16;

export interface RegistryRecord {
  guarantorId: number;
  nextIndex: number;
  root: string;
  /** Newest last. A revocation empties it to the new root alone, so no older root can be used. */
  recentRoots: string[];
  revoked: number;
}

export function emptyRegistry(guarantorId: number): RegistryRecord {
  const root = String(zeroHashes(TREE_DEPTH)[TREE_DEPTH]);
  return { guarantorId, nextIndex: 0, root, recentRoots: [root], revoked: 0 };
}

/**
 * A guarantor's credential registry: a depth-20 Poseidon Merkle tree whose every non-empty node is
 * kept in state, so appending or revoking a leaf rewrites one path (21 keys) and needs no proof from
 * the caller. Only the owning guarantor writes it, so its keys are never contended.
 */
export class RegistryTree {
  private readonly zeros = zeroHashes(TREE_DEPTH);

  constructor(
    private readonly ctx: Context,
    private readonly guarantorId: number,
  ) {}

  private nodeKey(level: number, index: number): string {
    return key(this.ctx, 'rnode', String(this.guarantorId), String(level), String(index));
  }

  async node(level: number, index: number): Promise<bigint> {
    const v = await view(this.ctx).get<string>(this.nodeKey(level, index));
    return v === undefined ? this.zeros[level] : BigInt(v);
  }

  /** Writes a leaf and every node above it; returns the new root. */
  async setLeaf(index: number, leaf: bigint): Promise<bigint> {
    const v = view(this.ctx);
    let node = leaf;
    let idx = index;
    await v.put(this.nodeKey(0, idx), node.toString());
    for (let level = 0; level < TREE_DEPTH; level++) {
      const sibling = await this.node(level, idx ^ 1);
      node = idx % 2 === 0 ? hashNode(node, sibling) : hashNode(sibling, node);
      idx = Math.floor(idx / 2);
      await v.put(this.nodeKey(level + 1, idx), node.toString());
    }
    return node;
  }

  /** Siblings of a leaf from the bottom up: what a borrower needs to prove membership. */
  async path(index: number): Promise<string[]> {
    const out: string[] = [];
    let idx = index;
    for (let level = 0; level < TREE_DEPTH; level++) {
      out.push((await this.node(level, idx ^ 1)).toString());
      idx = Math.floor(idx / 2);
    }
    return out;
  }

  async append(record: RegistryRecord, leaf: bigint): Promise<{ record: RegistryRecord; leafIndex: number }> {
    if (record.nextIndex >= 2 ** TREE_DEPTH) refuse('FORBIDDEN_STATE', 'the registry is full');
    const leafIndex = record.nextIndex;
    const root = (await this.setLeaf(leafIndex, leaf)).toString();
    return { leafIndex, record: { ...record, nextIndex: leafIndex + 1, root, recentRoots: [...record.recentRoots, root].slice(-ROOT_WINDOW) } };
  }

  async revoke(record: RegistryRecord, leafIndex: number): Promise<RegistryRecord> {
    if (!Number.isSafeInteger(leafIndex) || leafIndex < 0 || leafIndex >= record.nextIndex) refuse('INVALID_ARGUMENT', `leaf ${leafIndex} is not in the registry`);
    if ((await this.node(0, leafIndex)) === EMPTY_LEAF) refuse('CONFLICT', `leaf ${leafIndex} is already revoked`);
    const root = (await this.setLeaf(leafIndex, EMPTY_LEAF)).toString();
    // Takes effect at once: proofs against any older root, which still holds the leaf, are refused.
    return { ...record, root, recentRoots: [root], revoked: record.revoked + 1 };
  }
}
