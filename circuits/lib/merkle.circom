pragma circom 2.1.0;

include "poseidon.circom";
include "bitify.circom";

// Root of a binary Poseidon Merkle tree of the given depth, from a leaf, its index and the siblings
// on its path. Node = Poseidon(left, right). The index is decomposed with Num2Bits(depth), so every
// path selector is constrained to be a bit and the index to be < 2^depth (a free selector would let
// a prover open any value as a "leaf").
template MerkleRoot(depth) {
    signal input leaf;
    signal input leafIndex;
    signal input siblings[depth];
    signal output root;

    component indexBits = Num2Bits(depth);
    indexBits.in <== leafIndex;

    component hashers[depth];
    signal left[depth];
    signal node[depth + 1];
    node[0] <== leaf;
    for (var i = 0; i < depth; i++) {
        // bit = 0: (node, sibling); bit = 1: (sibling, node). One constraint per level.
        left[i] <== node[i] + indexBits.out[i] * (siblings[i] - node[i]);
        hashers[i] = Poseidon(2);
        hashers[i].inputs[0] <== left[i];
        hashers[i].inputs[1] <== node[i] + siblings[i] - left[i];
        node[i + 1] <== hashers[i].out;
    }
    root <== node[depth];
}
