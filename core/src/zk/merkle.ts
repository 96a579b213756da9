import { ZkError } from './errors';
import { TREE_DEPTH, toField } from './field';
import { hashNode } from './poseidon';

/** Value of an empty leaf. */
export const EMPTY_LEAF = 0n;

const zeroCache = new Map<number, readonly bigint[]>();
/** zeros[i] = root of an empty subtree of height i (zeros[0] = EMPTY_LEAF). */
export function zeroHashes(depth: number = TREE_DEPTH): readonly bigint[] {
  let z = zeroCache.get(depth);
  if (!z) {
    const arr = [EMPTY_LEAF];
    for (let i = 0; i < depth; i++) arr.push(hashNode(arr[i], arr[i]));
    z = Object.freeze(arr);
    zeroCache.set(depth, z);
  }
  return z;
}

/** The opening of one leaf: what the circuits take as private input (leafIndex + siblings). */
export interface MerkleProof {
  readonly root: bigint;
  readonly leaf: bigint;
  readonly leafIndex: number;
  /** siblings[i] is the sibling at height i, from the leaf up. */
  readonly siblings: readonly bigint[];
}

/** Recompute the root from an opening exactly as the circuit does (bit i of leafIndex = node is the right child). */
export function computeMerkleRoot(leaf: bigint, leafIndex: number, siblings: readonly bigint[]): bigint {
  if (!Number.isSafeInteger(leafIndex) || leafIndex < 0 || leafIndex >= 2 ** siblings.length) throw new ZkError('MERKLE', 'leafIndex out of range');
  let node = toField(leaf, 'leaf');
  let idx = leafIndex;
  for (let i = 0; i < siblings.length; i++) {
    const s = toField(siblings[i], `sibling ${i}`);
    node = idx % 2 === 0 ? hashNode(node, s) : hashNode(s, node);
    idx = Math.floor(idx / 2);
  }
  return node;
}

export function verifyMerkleProof(proof: MerkleProof): boolean {
  try {
    return computeMerkleRoot(proof.leaf, proof.leafIndex, proof.siblings) === proof.root;
  } catch {
    return false;
  }
}

/**
 * Incremental Poseidon Merkle tree, append-only, with openings of any leaf. Holds every node
 * (O(n) memory): for the off-chain side (guarantors, depositors, gateway). The chaincode only needs
 * the frontier: see {@link MerkleFrontier}.
 */
export class PoseidonMerkleTree {
  readonly depth: number;
  private readonly layers: bigint[][];
  private readonly zeros: readonly bigint[];

  constructor(depth: number = TREE_DEPTH, leaves: Iterable<bigint> = []) {
    if (!Number.isInteger(depth) || depth < 1 || depth > 32) throw new ZkError('MERKLE', 'depth must be 1..32');
    this.depth = depth;
    this.zeros = zeroHashes(depth);
    this.layers = Array.from({ length: depth + 1 }, () => [] as bigint[]);
    for (const l of leaves) this.insert(l);
  }

  get size(): number {
    return this.layers[0].length;
  }

  get capacity(): number {
    return 2 ** this.depth;
  }

  get root(): bigint {
    return this.nodeAt(this.depth, 0);
  }

  get leaves(): readonly bigint[] {
    return this.layers[0];
  }

  /** Append a leaf; returns its index. */
  insert(leaf: bigint): number {
    const v = toField(leaf, 'leaf');
    const index = this.layers[0].length;
    if (index >= this.capacity) throw new ZkError('MERKLE', 'tree is full');
    this.layers[0].push(v);
    let idx = index;
    for (let h = 0; h < this.depth; h++) {
      const parent = idx >> 1;
      const left = this.nodeAt(h, parent * 2);
      const right = this.nodeAt(h, parent * 2 + 1);
      this.layers[h + 1][parent] = hashNode(left, right);
      idx = parent;
    }
    return index;
  }

  indexOf(leaf: bigint): number {
    return this.layers[0].indexOf(leaf);
  }

  proof(leafIndex: number): MerkleProof {
    if (!Number.isSafeInteger(leafIndex) || leafIndex < 0 || leafIndex >= this.size) throw new ZkError('MERKLE', `no leaf at index ${leafIndex}`);
    const siblings: bigint[] = [];
    let idx = leafIndex;
    for (let h = 0; h < this.depth; h++) {
      siblings.push(this.nodeAt(h, idx ^ 1));
      idx >>= 1;
    }
    return { root: this.root, leaf: this.layers[0][leafIndex], leafIndex, siblings };
  }

  /** The frontier of this tree, for storing compactly (e.g. on the ledger). */
  frontier(): MerkleFrontier {
    let f = emptyFrontier(this.depth);
    for (const l of this.layers[0]) f = frontierInsert(f, l);
    return f;
  }

  private nodeAt(height: number, index: number): bigint {
    const v = this.layers[height][index];
    return v === undefined ? this.zeros[height] : v;
  }
}

/**
 * Compact state of an append-only tree (the "filled subtrees" of an incremental Merkle tree):
 * O(depth) values, enough to append leaves and know the root. JSON-safe (decimal strings).
 */
export interface MerkleFrontier {
  readonly depth: number;
  readonly nextIndex: number;
  /** filled[h] = left node at height h waiting for its right sibling (decimal string). */
  readonly filled: readonly string[];
  readonly root: string;
}

export function emptyFrontier(depth: number = TREE_DEPTH): MerkleFrontier {
  const z = zeroHashes(depth);
  return { depth, nextIndex: 0, filled: z.slice(0, depth).map(String), root: String(z[depth]) };
}

/** Append a leaf to a frontier; returns the new frontier (the input is not modified) and the leaf's index. */
export function frontierInsert(frontier: MerkleFrontier, leaf: bigint | string): MerkleFrontier & { leafIndex: number } {
  const { depth, nextIndex } = frontier;
  if (nextIndex >= 2 ** depth) throw new ZkError('MERKLE', 'tree is full');
  if (frontier.filled.length !== depth) throw new ZkError('MERKLE', 'malformed frontier');
  const z = zeroHashes(depth);
  const filled = frontier.filled.map((x) => toField(x, 'frontier node'));
  let node = toField(leaf, 'leaf');
  let idx = nextIndex;
  for (let h = 0; h < depth; h++) {
    if (idx % 2 === 0) {
      filled[h] = node;
      node = hashNode(node, z[h]);
    } else {
      node = hashNode(filled[h], node);
    }
    idx = Math.floor(idx / 2);
  }
  return { depth, nextIndex: nextIndex + 1, filled: filled.map(String), root: String(node), leafIndex: nextIndex };
}
