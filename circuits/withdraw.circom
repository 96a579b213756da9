pragma circom 2.1.0;

// Pool note withdrawal (lending paper, crowdfunding pools).
// A lender deposited commitment = Poseidon(nullifier, secret) as a leaf of the pool's deposit tree.
// It proves the note is in the tree under a public root and publishes nullifierHash =
// Poseidon(nullifier), which the chaincode records so the note is spent once. Recipient, relayer and
// fee are public and bound into the proof: a relayer or an observer cannot redirect the payout.
//
// Public signals, in this order (= declaration order, which is what snarkjs uses):
//   root, nullifierHash, recipient, relayer, fee

include "poseidon.circom";
include "bitify.circom";
include "lib/merkle.circom";

template Withdraw(depth) {
    // public
    signal input root;
    signal input nullifierHash;
    signal input recipient;
    signal input relayer;
    signal input fee;
    // private
    signal input nullifier;
    signal input secret;
    signal input leafIndex;
    signal input siblings[depth];

    component commitment = Poseidon(2);
    commitment.inputs[0] <== nullifier;
    commitment.inputs[1] <== secret;

    component nh = Poseidon(1);
    nh.inputs[0] <== nullifier;
    nh.out === nullifierHash;

    component tree = MerkleRoot(depth);
    tree.leaf <== commitment.out;
    tree.leafIndex <== leafIndex;
    for (var i = 0; i < depth; i++) tree.siblings[i] <== siblings[i];
    tree.root === root;

    // The fee is an amount: below 2^64.
    component feeBits = Num2Bits(64);
    feeBits.in <== fee;

    // Make recipient and relayer appear in a constraint (belt and braces; Groth16 binds public
    // inputs anyway) so no optimiser can drop them.
    signal recipientSquare <== recipient * recipient;
    signal relayerSquare <== relayer * relayer;
}

component main {public [root, nullifierHash, recipient, relayer, fee]} = Withdraw(20);
