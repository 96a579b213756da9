pragma circom 2.1.0;

// Borrow (lending paper, lend phase), in one statement:
//  1. credential: leaf = Poseidon(identityCommitment, C_b, guarantorId) is in the guarantor's
//     registry tree (depth 20) under the public root, where
//     identityCommitment = Poseidon(identity, Poseidon(identitySecret));
//  2. credit formula with integer weights in percent (WEIGHT_SCALE = 100):
//        minScore * 100 <= C_b * W_b + C_g * W_g      (minScore = C(M_b, D_b), computed by chaincode)
//     every operand range-checked so nothing wraps around the field;
//  3. loanNullifier = Poseidon(identitySecret, leaf): one credential backs one loan;
//  4. ElGamal on BabyJubJub of M = identity * Base8 under the joint key PK_g + PK_u:
//        c1 = r * Base8,  c2 = M + r * (PK_g + PK_u)
//     so the guarantor and the Utility must both publish a decryption share to unmask;
//  5. repayCommitment = Poseidon(repaySecret, loanNullifier);
//  6. recipient and relayer bound.
//
// Ranges: scores (C_b, C_g, minScore) < 2^32; weights < 2^8 (the chaincode holds them <= 100);
// amount and duration < 2^64; guarantorId < 2^8; identity and ElGamal randomness r < 2^246, which is
// below the BabyJubJub subgroup order l (~2^251.6), so each scalar has exactly one representative.
//
// Public signals, in this order (= declaration order):
//   0 root, 1 guarantorId, 2 amount, 3 duration, 4 minScore, 5 weightBorrower, 6 weightGuarantor,
//   7 guarantorScore, 8 loanNullifier, 9-10 pkGuarantor[x,y], 11-12 pkUtility[x,y],
//   13-14 c1[x,y], 15-16 c2[x,y], 17 repayCommitment, 18 recipient, 19 relayer

include "poseidon.circom";
include "bitify.circom";
include "comparators.circom";
include "babyjub.circom";
include "escalarmulfix.circom";
include "escalarmulany.circom";
include "lib/merkle.circom";

template RangeCheck(n) {
    signal input in;
    component bits = Num2Bits(n);
    bits.in <== in;
}

template Borrow(depth) {
    // public
    signal input root;
    signal input guarantorId;
    signal input amount;
    signal input duration;
    signal input minScore;
    signal input weightBorrower;
    signal input weightGuarantor;
    signal input guarantorScore;
    signal input loanNullifier;
    signal input pkGuarantor[2];
    signal input pkUtility[2];
    signal input c1[2];
    signal input c2[2];
    signal input repayCommitment;
    signal input recipient;
    signal input relayer;
    // private
    signal input identity;
    signal input identitySecret;
    signal input borrowerScore;
    signal input leafIndex;
    signal input siblings[depth];
    signal input encRandomness;
    signal input repaySecret;

    var BASE8[2] = [
        5299619240641551281634865583518297030282874472190772894086521144482721001553,
        16950150798460657717958625567821834550301663161624707787222815936182638968203
    ];

    // --- ranges
    component rg[8];
    rg[0] = RangeCheck(32); rg[0].in <== borrowerScore;
    rg[1] = RangeCheck(32); rg[1].in <== guarantorScore;
    rg[2] = RangeCheck(32); rg[2].in <== minScore;
    rg[3] = RangeCheck(8);  rg[3].in <== weightBorrower;
    rg[4] = RangeCheck(8);  rg[4].in <== weightGuarantor;
    rg[5] = RangeCheck(64); rg[5].in <== amount;
    rg[6] = RangeCheck(64); rg[6].in <== duration;
    rg[7] = RangeCheck(8);  rg[7].in <== guarantorId;

    // --- credit formula: minScore * 100 <= C_b * W_b + C_g * W_g  (both sides < 2^41)
    signal weightedBorrower <== borrowerScore * weightBorrower;
    signal weightedGuarantor <== guarantorScore * weightGuarantor;
    component credit = LessEqThan(42);
    credit.in[0] <== minScore * 100;
    credit.in[1] <== weightedBorrower + weightedGuarantor;
    credit.out === 1;

    // --- credential membership
    component secretHash = Poseidon(1);
    secretHash.inputs[0] <== identitySecret;
    component idCommitment = Poseidon(2);
    idCommitment.inputs[0] <== identity;
    idCommitment.inputs[1] <== secretHash.out;
    component leaf = Poseidon(3);
    leaf.inputs[0] <== idCommitment.out;
    leaf.inputs[1] <== borrowerScore;
    leaf.inputs[2] <== guarantorId;
    component tree = MerkleRoot(depth);
    tree.leaf <== leaf.out;
    tree.leafIndex <== leafIndex;
    for (var i = 0; i < depth; i++) tree.siblings[i] <== siblings[i];
    tree.root === root;

    // --- loan nullifier and repay commitment
    component nullifier = Poseidon(2);
    nullifier.inputs[0] <== identitySecret;
    nullifier.inputs[1] <== leaf.out;
    nullifier.out === loanNullifier;
    component repay = Poseidon(2);
    repay.inputs[0] <== repaySecret;
    repay.inputs[1] <== loanNullifier;
    repay.out === repayCommitment;

    // --- ElGamal encryption of identity * Base8 under PK_g + PK_u
    component onCurveG = BabyCheck();
    onCurveG.x <== pkGuarantor[0]; onCurveG.y <== pkGuarantor[1];
    component onCurveU = BabyCheck();
    onCurveU.x <== pkUtility[0]; onCurveU.y <== pkUtility[1];
    component joint = BabyAdd();
    joint.x1 <== pkGuarantor[0]; joint.y1 <== pkGuarantor[1];
    joint.x2 <== pkUtility[0];   joint.y2 <== pkUtility[1];

    component rBits = Num2Bits(246);
    rBits.in <== encRandomness;
    component idBits = Num2Bits(246);
    idBits.in <== identity;

    component rG = EscalarMulFix(246, BASE8);
    component rPK = EscalarMulAny(246);
    component mG = EscalarMulFix(246, BASE8);
    for (var i = 0; i < 246; i++) {
        rG.e[i] <== rBits.out[i];
        rPK.e[i] <== rBits.out[i];
        mG.e[i] <== idBits.out[i];
    }
    rPK.p[0] <== joint.xout;
    rPK.p[1] <== joint.yout;
    component sum = BabyAdd();
    sum.x1 <== mG.out[0]; sum.y1 <== mG.out[1];
    sum.x2 <== rPK.out[0]; sum.y2 <== rPK.out[1];
    c1[0] === rG.out[0];
    c1[1] === rG.out[1];
    c2[0] === sum.xout;
    c2[1] === sum.yout;

    // --- bind recipient and relayer
    signal recipientSquare <== recipient * recipient;
    signal relayerSquare <== relayer * relayer;
}

component main {public [root, guarantorId, amount, duration, minScore, weightBorrower, weightGuarantor,
    guarantorScore, loanNullifier, pkGuarantor, pkUtility, c1, c2, repayCommitment, recipient, relayer]} = Borrow(20);
