import { createHash, randomBytes } from 'node:crypto';
import { buildBn128 } from 'ffjavascript';
import { ZkError } from './errors';
import { SNARK_FIELD, toField } from './field';

/** BN254 base field modulus q (coordinates of proof points). */
const BASE_FIELD = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;

/** A Groth16 proof in snarkjs JSON form (decimal strings, projective with z = 1). */
export interface Groth16Proof {
  pi_a: [string, string, string];
  pi_b: [[string, string], [string, string], [string, string]];
  pi_c: [string, string, string];
  protocol?: 'groth16';
  curve?: 'bn128';
}

/** A Groth16 verification key as exported by snarkjs (`circuits/artifacts/<name>.vkey.json`). */
export interface Groth16VerificationKey {
  protocol: 'groth16';
  curve: 'bn128';
  nPublic: number;
  vk_alpha_1: string[];
  vk_beta_2: string[][];
  vk_gamma_2: string[][];
  vk_delta_2: string[][];
  IC: string[][];
  [k: string]: unknown;
}

// ffjavascript's curve object is untyped; keep `any` confined to this file.
/* eslint-disable @typescript-eslint/no-explicit-any */
type Curve = any;
type Buf = Uint8Array;

let curvePromise: Promise<Curve> | null = null;
/**
 * The verifier's curve: ffjavascript BN254 built single-threaded, so verification starts no worker
 * threads and a long-running process (a chaincode) holds one WebAssembly instance and nothing else.
 * It is independent of the multi-threaded curve snarkjs caches for proving (see releaseZk).
 */
export function verifierCurve(): Promise<Curve> {
  if (!curvePromise) curvePromise = buildBn128(true);
  return curvePromise;
}

/** A verification key parsed once into curve points, with e(alpha, beta)'s Miller loop precomputed. */
export interface PreparedVerificationKey {
  readonly nPublic: number;
  /** sha256 of the canonical JSON of the key, for logs and caches */
  readonly fingerprint: string;
  /** @internal */ readonly _p: {
    alpha: Buf;
    betaPrep: Buf;
    gammaPrep: Buf;
    deltaPrep: Buf;
    negAlphaBetaMl: Buf; // Miller loop of (-alpha, beta): product with the others must finalExp to 1
    IC: Buf[];
    curve: Curve;
  };
}

const prepared = new WeakMap<object, Promise<PreparedVerificationKey>>();

function isStrArray(x: unknown, n: number): x is string[] {
  return Array.isArray(x) && x.length === n && x.every((v) => typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint');
}

function coord(v: unknown, what: string, code: 'MALFORMED_PROOF' | 'INVALID_VERIFICATION_KEY'): bigint {
  const s = typeof v === 'bigint' ? v.toString() : typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : v;
  if (typeof s !== 'string' || !/^(0|[1-9][0-9]{0,77})$/.test(s)) throw new ZkError(code, `${what}: not a canonical decimal coordinate`);
  const b = BigInt(s);
  if (b >= BASE_FIELD) throw new ZkError(code === 'MALFORMED_PROOF' ? 'INVALID_PROOF_POINT' : code, `${what}: coordinate not below the base field modulus`);
  return b;
}

type Code = 'MALFORMED_PROOF' | 'INVALID_VERIFICATION_KEY';

function g1(curve: Curve, p: unknown, what: string, code: Code): Buf {
  if (!isStrArray(p, 3) && !isStrArray(p, 2)) throw new ZkError(code, `${what}: expected [x, y, 1]`);
  const arr = p as unknown[];
  const x = coord(arr[0], `${what}.x`, code);
  const y = coord(arr[1], `${what}.y`, code);
  if (arr.length === 3 && coord(arr[2], `${what}.z`, code) !== 1n) throw new ZkError(code, `${what}: z must be 1 (affine form)`);
  const P = curve.G1.fromObject([x, y]);
  const bad = code === 'MALFORMED_PROOF' ? 'INVALID_PROOF_POINT' : code;
  if (curve.G1.isZero(P) || !curve.G1.isValid(P)) throw new ZkError(bad, `${what}: not a point of G1 (or the identity)`);
  // G1 of BN254 has cofactor 1: on the curve means in the group.
  return P;
}

function g2(curve: Curve, p: unknown, what: string, code: Code, checkSubgroup: boolean): Buf {
  if (!Array.isArray(p) || (p.length !== 3 && p.length !== 2) || !isStrArray(p[0], 2) || !isStrArray(p[1], 2)) {
    throw new ZkError(code, `${what}: expected [[x0, x1], [y0, y1], [1, 0]]`);
  }
  if (p.length === 3) {
    if (!isStrArray(p[2], 2) || coord(p[2][0], `${what}.z0`, code) !== 1n || coord(p[2][1], `${what}.z1`, code) !== 0n) {
      throw new ZkError(code, `${what}: z must be [1, 0] (affine form)`);
    }
  }
  const xs = p[0].map((c: unknown, i: number) => coord(c, `${what}.x${i}`, code));
  const ys = p[1].map((c: unknown, i: number) => coord(c, `${what}.y${i}`, code));
  const P = curve.G2.fromObject([xs, ys]);
  const bad = code === 'MALFORMED_PROOF' ? 'INVALID_PROOF_POINT' : code;
  if (curve.G2.isZero(P) || !curve.G2.isValid(P)) throw new ZkError(bad, `${what}: not on the G2 twist (or the identity)`);
  // snarkjs stops at the curve equation. The twist has points outside the order-r subgroup; a
  // pairing with such a point is not the bilinear map the proof system's soundness assumes.
  if (checkSubgroup && !g2InSubgroup(curve, P)) throw new ZkError(bad, `${what}: not in the prime-order subgroup of G2`);
  return P;
}

const R_LE = scalarLE(SNARK_FIELD);
/** Reference G2 membership test: [r]P = 0 (a 254-bit scalar multiplication). */
export async function g2InSubgroupReference(point: unknown): Promise<boolean> {
  const curve = await verifierCurve();
  const P = g2(curve, point, 'point', 'MALFORMED_PROOF', false);
  return curve.G2.isZero(curve.G2.timesScalar(P, R_LE));
}

// Fast G2 membership test for BN254 (El Housni, Guillevic, Piellard, "Co-factor clearing and
// subgroup membership testing on pairing-friendly curves", ePrint 2022/348, section on BN curves):
//   P in G2  <=>  [x0+1]P + psi([x0]P) + psi^2([x0]P) = psi^3([2 x0]P)
// with the BN parameter x0 and psi the untwist-Frobenius-twist endomorphism
//   psi(x, y) = (conj(x) * xi^((p-1)/3), conj(y) * xi^((p-1)/2)),  xi = 9 + u.
// One 63-bit scalar multiplication instead of a 254-bit one. Tests cross-check it against [r]P = 0.
const X0 = 4965661367192848881n;
const X0_LE = scalarLE(X0).slice(0, 8);
const psiConsts = new WeakMap<object, { g12: Buf; g13: Buf }>();
function psi(curve: Curve, P: Buf): Buf {
  const F2 = curve.G2.F;
  const F1 = F2.F;
  let k = psiConsts.get(curve);
  if (!k) {
    const xi = F2.fromObject([9n, 1n]);
    const p = BASE_FIELD;
    k = { g12: F2.exp(xi, scalarLE((p - 1n) / 3n)), g13: F2.exp(xi, scalarLE((p - 1n) / 2n)) };
    psiConsts.set(curve, k);
  }
  const n = F1.n8;
  const conj = (a: Buf): Buf => {
    const out = new Uint8Array(2 * n);
    out.set(a.slice(0, n), 0);
    out.set(F1.neg(a.slice(n, 2 * n)), n);
    return out;
  };
  const J = curve.G2.toJacobian(P);
  const X = J.slice(0, 2 * n);
  const Y = J.slice(2 * n, 4 * n);
  const Z = J.slice(4 * n, 6 * n);
  const out = new Uint8Array(6 * n);
  out.set(F2.mul(conj(X), k.g12), 0);
  out.set(F2.mul(conj(Y), k.g13), 2 * n);
  out.set(conj(Z), 4 * n);
  return out;
}

function g2InSubgroup(curve: Curve, P: Buf): boolean {
  const G2 = curve.G2;
  const xP = G2.timesScalar(P, X0_LE);
  const psiXP = psi(curve, xP);
  const lhs = G2.add(G2.add(G2.add(xP, G2.toJacobian(P)), psiXP), psi(curve, psiXP));
  const rhs = psi(curve, psi(curve, psi(curve, G2.double(xP))));
  return G2.eq(lhs, rhs);
}

/** G2 membership as the verifier checks it (fast test). Exported for tests. */
export async function g2InSubgroupFast(point: unknown): Promise<boolean> {
  const curve = await verifierCurve();
  return g2InSubgroup(curve, g2(curve, point, 'point', 'MALFORMED_PROOF', false));
}

function scalarLE(v: bigint): Uint8Array {
  const out = new Uint8Array(32);
  let x = v;
  for (let i = 0; i < 32; i++) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return '[' + v.map(canonicalJson).join(',') + ']';
  if (v && typeof v === 'object') return '{' + Object.keys(v).sort().map((k) => JSON.stringify(k) + ':' + canonicalJson((v as Record<string, unknown>)[k])).join(',') + '}';
  return JSON.stringify(v);
}

/** Parse and check a verification key once; later calls with the same object reuse the result. */
export function prepareVerificationKey(vk: Groth16VerificationKey | PreparedVerificationKey): Promise<PreparedVerificationKey> {
  if (vk && typeof vk === 'object' && '_p' in vk) return Promise.resolve(vk as PreparedVerificationKey);
  if (!vk || typeof vk !== 'object') return Promise.reject(new ZkError('INVALID_VERIFICATION_KEY', 'verification key: expected an object'));
  let p = prepared.get(vk);
  if (!p) {
    // Same key content under a new object (e.g. JSON parsed per request): reuse by fingerprint.
    const fp = createHash('sha256').update(canonicalJson(vk)).digest('hex');
    p = byFingerprint.get(fp);
    if (!p) {
      p = doPrepare(vk as Groth16VerificationKey);
      if (byFingerprint.size >= 16) byFingerprint.delete(byFingerprint.keys().next().value as string);
      byFingerprint.set(fp, p);
      const q = p;
      p.catch(() => byFingerprint.get(fp) === q && byFingerprint.delete(fp));
    }
    prepared.set(vk, p);
    p.catch(() => prepared.delete(vk));
  }
  return p;
}
const byFingerprint = new Map<string, Promise<PreparedVerificationKey>>();

async function doPrepare(vk: Groth16VerificationKey): Promise<PreparedVerificationKey> {
  const C: Code = 'INVALID_VERIFICATION_KEY';
  if (vk.protocol !== 'groth16' || vk.curve !== 'bn128') throw new ZkError(C, 'verification key: not a groth16 / bn128 key');
  if (!Number.isInteger(vk.nPublic) || vk.nPublic < 0 || !Array.isArray(vk.IC) || vk.IC.length !== vk.nPublic + 1) {
    throw new ZkError(C, 'verification key: IC length does not match nPublic');
  }
  if (canonicalJson(vk.vk_gamma_2) === canonicalJson(vk.vk_delta_2)) {
    throw new ZkError(C, 'verification key: gamma == delta (no phase-2 contribution; proofs can be forged)');
  }
  const curve = await verifierCurve();
  const alpha = g1(curve, vk.vk_alpha_1, 'vk_alpha_1', C);
  const beta = g2(curve, vk.vk_beta_2, 'vk_beta_2', C, true);
  const gamma = g2(curve, vk.vk_gamma_2, 'vk_gamma_2', C, true);
  const delta = g2(curve, vk.vk_delta_2, 'vk_delta_2', C, true);
  const IC = vk.IC.map((p, i) => g1(curve, p, `IC[${i}]`, C));
  const betaPrep = curve.prepareG2(curve.G2.toJacobian(beta));
  const negAlphaBetaMl = curve.millerLoop(curve.prepareG1(curve.G1.toJacobian(curve.G1.neg(alpha))), betaPrep);
  return {
    nPublic: vk.nPublic,
    fingerprint: createHash('sha256').update(canonicalJson(vk)).digest('hex'),
    _p: {
      alpha,
      betaPrep,
      gammaPrep: curve.prepareG2(curve.G2.toJacobian(gamma)),
      deltaPrep: curve.prepareG2(curve.G2.toJacobian(delta)),
      negAlphaBetaMl,
      IC,
      curve,
    },
  };
}

interface ParsedProof {
  A: Buf;
  B: Buf;
  C: Buf;
  signals: bigint[];
}

function parseProof(curve: Curve, proof: unknown, publicSignals: unknown, nPublic: number): ParsedProof {
  if (!proof || typeof proof !== 'object') throw new ZkError('MALFORMED_PROOF', 'proof: expected an object');
  const p = proof as Record<string, unknown>;
  if (p.protocol !== undefined && p.protocol !== 'groth16') throw new ZkError('MALFORMED_PROOF', 'proof: protocol is not groth16');
  if (p.curve !== undefined && p.curve !== 'bn128') throw new ZkError('MALFORMED_PROOF', 'proof: curve is not bn128');
  if (!Array.isArray(publicSignals)) throw new ZkError('PUBLIC_SIGNAL_COUNT', 'public signals: expected an array');
  if (publicSignals.length !== nPublic) {
    throw new ZkError('PUBLIC_SIGNAL_COUNT', `public signals: expected ${nPublic}, got ${publicSignals.length}`);
  }
  const signals = publicSignals.map((s, i) => toField(s, `public signal ${i}`));
  return {
    A: g1(curve, p.pi_a, 'pi_a', 'MALFORMED_PROOF'),
    B: g2(curve, p.pi_b, 'pi_b', 'MALFORMED_PROOF', true),
    C: g1(curve, p.pi_c, 'pi_c', 'MALFORMED_PROOF'),
    signals,
  };
}

/** L = IC_0 * s0 + sum IC_i * s_i (Jacobian). */
function linearCombination(curve: Curve, IC: Buf[], scalars: bigint[]): Buf {
  let acc = curve.G1.zero;
  for (let i = 0; i < IC.length; i++) {
    if (scalars[i] === 0n) continue;
    acc = curve.G1.add(acc, scalars[i] === 1n ? IC[i] : curve.G1.timesScalar(IC[i], scalarLE(scalars[i])));
  }
  return acc;
}

// Bits of the BN254 optimal-ate loop count 6x+2, least significant first (as ffjavascript's wasm uses them).
const ATE_BITS: number[] = (() => {
  const b: number[] = [];
  for (let e = 29793968203157093288n; e > 0n; e >>= 1n) b.push(Number(e & 1n));
  return b;
})();

/** A pairing input: a G1 point and either a G2 point or an already prepared G2 point. */
export interface MillerPair {
  P: Buf;
  Q?: Buf;
  Qprep?: Buf;
}

/**
 * Product of the Miller loops of many pairs with the Fp12 squarings shared: the same steps as
 * ffjavascript's `millerLoop` (wasm), run side by side for all pairs, so a batch pays one squaring
 * per loop bit instead of one per pair and loop bit. Result before the final exponentiation.
 */
function multiMillerLoop(curve: Curve, pairs: readonly MillerPair[]): Buf {
  const tm = curve.tm;
  const ex = tm.instance.exports;
  const f1 = curve.F1.n8;
  const f2 = 2 * f1;
  const coefSize = 3 * f2;
  const prefix = curve.name;
  tm.startSyncOp();
  try {
    const pP: number[] = [];
    const coef: number[] = [];
    for (const pr of pairs) {
      const a = tm.allocBuff(curve.G1.toJacobian(pr.P));
      const pp = tm.alloc(curve.prePSize);
      ex[`${prefix}_prepareG1`](a, pp);
      pP.push(pp);
      let pq: number;
      if (pr.Qprep) pq = tm.allocBuff(pr.Qprep);
      else {
        const b = tm.allocBuff(curve.G2.toJacobian(pr.Q));
        pq = tm.alloc(curve.preQSize);
        ex[`${prefix}_prepareG2`](b, pq);
      }
      coef.push(pq + 3 * f2);
    }
    const VW = tm.alloc(f2);
    const VV = tm.alloc(f2);
    const F = tm.alloc(curve.Gt.n8);
    ex.ftm_one(F);
    const mulBy024 = ex[`${prefix}__mulBy024`];
    const step = (j: number) => {
      ex.f2m_mul1(coef[j] + f2, pP[j] + f1, VW);
      ex.f2m_mul1(coef[j] + 2 * f2, pP[j], VV);
      mulBy024(coef[j], VW, VV, F);
      coef[j] += coefSize;
    };
    const n = pairs.length;
    for (let i = ATE_BITS.length - 2; i >= 0; i--) {
      ex.ftm_square(F, F);
      for (let j = 0; j < n; j++) step(j);
      if (ATE_BITS[i]) for (let j = 0; j < n; j++) step(j);
    }
    for (let j = 0; j < n; j++) {
      step(j);
      step(j);
    }
    return tm.getBuff(F, curve.Gt.n8);
  } finally {
    tm.endSyncOp();
  }
}

/** Multi-Miller loop in chunks (bounds the WebAssembly memory a huge batch needs). */
function millerProduct(curve: Curve, pairs: readonly MillerPair[], chunk = 64): Buf {
  let f = curve.Gt.one;
  for (let i = 0; i < pairs.length; i += chunk) f = curve.Gt.mul(f, multiMillerLoop(curve, pairs.slice(i, i + chunk)));
  return f;
}

/** Test hook: the shared-squaring Miller loop must equal the product of ffjavascript's own loops. */
export async function _multiMillerSelfTest(points: { g1: unknown; g2: unknown }[]): Promise<boolean> {
  const curve = await verifierCurve();
  const pairs = points.map((p, i) => ({ P: g1(curve, p.g1, `g1[${i}]`, 'MALFORMED_PROOF'), Q: g2(curve, p.g2, `g2[${i}]`, 'MALFORMED_PROOF', false) }));
  let ref = curve.Gt.one;
  for (const p of pairs) ref = curve.Gt.mul(ref, curve.millerLoop(curve.prepareG1(curve.G1.toJacobian(p.P)), curve.prepareG2(curve.G2.toJacobian(p.Q))));
  return curve.Gt.eq(multiMillerLoop(curve, pairs), ref);
}

function checkOne(vk: PreparedVerificationKey, pp: ParsedProof): boolean {
  const { curve, IC, gammaPrep, deltaPrep, negAlphaBetaMl } = vk._p;
  // e(A, B) = e(alpha, beta) e(L, gamma) e(C, delta)  <=>  e(A,B) e(-alpha,beta) e(-L,gamma) e(-C,delta) = 1
  const L = linearCombination(curve, IC, [1n, ...pp.signals]);
  const f = multiMillerLoop(curve, [
    { P: pp.A, Q: pp.B },
    { P: curve.G1.neg(L), Qprep: gammaPrep },
    { P: curve.G1.neg(pp.C), Qprep: deltaPrep },
  ]);
  return curve.Gt.eq(curve.finalExponentiation(curve.Gt.mul(f, negAlphaBetaMl)), curve.Gt.one);
}

/**
 * Verify one Groth16 proof against public signals (already built by the verifier, in the circuit's
 * order). Returns false for a well-formed proof that does not verify; throws ZkError for malformed
 * input: wrong number of signals, values not in the field, points not on the curve / in the subgroup.
 */
export async function verifyGroth16(vk: Groth16VerificationKey | PreparedVerificationKey, proof: unknown, publicSignals: readonly unknown[]): Promise<boolean> {
  const pvk = await prepareVerificationKey(vk);
  const pp = parseProof(pvk._p.curve, proof, publicSignals, pvk.nPublic);
  return checkOne(pvk, pp);
}

export interface BatchItem {
  proof: unknown;
  publicSignals: readonly unknown[];
}

export interface BatchVerifyResult {
  /** true iff every proof is well-formed and valid */
  allValid: boolean;
  /** per proof: valid or not */
  valid: boolean[];
  /** per proof: the input error that made it invalid, or null */
  errors: (ZkError | null)[];
  /** whether the combined check failed and each proof was checked on its own to name the bad ones */
  fellBack: boolean;
}

/**
 * Batch verification of many proofs under one key with a random linear combination: with fresh
 * secret 128-bit z_j chosen after the proofs are fixed, check
 *   prod_j e(z_j A_j, B_j) * e(-(sum z_j) alpha, beta) * e(-sum_j z_j L_j, gamma) * e(-sum_j z_j C_j, delta) = 1
 * where sum_j z_j L_j = (sum z_j) IC_0 + sum_i (sum_j z_j x_{j,i}) IC_i. That is N + 3 Miller loops
 * and one final exponentiation. A batch containing an invalid proof passes with probability <= 2^-128.
 * Every point is checked on its curve and B_j in the order-r subgroup of G2. Malformed proofs are
 * reported per item; if the combined check fails, every proof is checked alone to name the bad ones.
 */
export interface BatchVerifyOptions {
  /**
   * Spread the per-proof Miller loops over ffjavascript's worker threads (one per CPU): lower wall
   * time per proof on a multi-core machine, same CPU cost. Builds (once) the shared multi-threaded
   * curve that snarkjs also uses for proving; call releaseZk() before a script exits. Default false:
   * verification then never starts a thread.
   */
  threads?: boolean;
}

let threadedCurve: Promise<Curve> | null = null;
function workerCurve(): Promise<Curve> {
  const g = globalThis as unknown as { curve_bn128?: Curve };
  if (g.curve_bn128) return Promise.resolve(g.curve_bn128);
  if (!threadedCurve) {
    threadedCurve = buildBn128(false);
    threadedCurve.finally(() => (threadedCurve = null)).catch(() => undefined);
  }
  return threadedCurve;
}

/** The shared-squaring Miller loop of the pairs (see multiMillerLoop), as one task for a worker thread. */
function millerProductTask(curve: Curve, wcurve: Curve, pairs: [Buf, Buf][]): Promise<Buf> {
  const f1 = curve.F1.n8;
  const f2 = 2 * f1;
  const coefSize = 3 * f2;
  const name = wcurve.name;
  const task: unknown[] = [];
  const F = 0;
  const VW = 1;
  const VV = 2;
  task.push({ cmd: 'ALLOC', var: F, len: wcurve.Gt.n8 }, { cmd: 'ALLOC', var: VW, len: f2 }, { cmd: 'ALLOC', var: VV, len: f2 });
  task.push({ cmd: 'CALL', fnName: 'ftm_one', params: [{ var: F }] });
  const pp: number[] = [];
  const pq: number[] = [];
  let v = 3;
  for (const [P, Q] of pairs) {
    task.push({ cmd: 'ALLOCSET', var: v, buff: curve.G1.toJacobian(P) }, { cmd: 'ALLOC', var: v + 1, len: wcurve.prePSize });
    task.push({ cmd: 'CALL', fnName: `${name}_prepareG1`, params: [{ var: v }, { var: v + 1 }] });
    task.push({ cmd: 'ALLOCSET', var: v + 2, buff: curve.G2.toJacobian(Q) }, { cmd: 'ALLOC', var: v + 3, len: wcurve.preQSize });
    task.push({ cmd: 'CALL', fnName: `${name}_prepareG2`, params: [{ var: v + 2 }, { var: v + 3 }] });
    pp.push(v + 1);
    pq.push(v + 3);
    v += 4;
  }
  const stepIdx = pairs.map(() => 0);
  const step = (j: number) => {
    const off = 3 * f2 + stepIdx[j] * coefSize;
    task.push({ cmd: 'CALL', fnName: 'f2m_mul1', params: [{ var: pq[j], offset: off + f2 }, { var: pp[j], offset: f1 }, { var: VW }] });
    task.push({ cmd: 'CALL', fnName: 'f2m_mul1', params: [{ var: pq[j], offset: off + 2 * f2 }, { var: pp[j] }, { var: VV }] });
    task.push({ cmd: 'CALL', fnName: `${name}__mulBy024`, params: [{ var: pq[j], offset: off }, { var: VW }, { var: VV }, { var: F }] });
    stepIdx[j]++;
  };
  for (let i = ATE_BITS.length - 2; i >= 0; i--) {
    task.push({ cmd: 'CALL', fnName: 'ftm_square', params: [{ var: F }, { var: F }] });
    for (let j = 0; j < pairs.length; j++) step(j);
    if (ATE_BITS[i]) for (let j = 0; j < pairs.length; j++) step(j);
  }
  for (let j = 0; j < pairs.length; j++) {
    step(j);
    step(j);
  }
  task.push({ cmd: 'GET', out: 0, var: F, len: wcurve.Gt.n8 });
  return wcurve.tm.queueAction(task).then((r: Buf[]) => r[0]);
}

export async function batchVerifyGroth16(vk: Groth16VerificationKey | PreparedVerificationKey, items: readonly BatchItem[], options: BatchVerifyOptions = {}): Promise<BatchVerifyResult> {
  const pvk = await prepareVerificationKey(vk);
  const { curve, IC, betaPrep, gammaPrep, deltaPrep, alpha } = pvk._p;
  const n = items.length;
  const valid: boolean[] = new Array(n).fill(false);
  const errors: (ZkError | null)[] = new Array(n).fill(null);
  const parsed: (ParsedProof | null)[] = items.map((it, j) => {
    try {
      if (!it || typeof it !== 'object') throw new ZkError('MALFORMED_PROOF', 'batch item: expected { proof, publicSignals }');
      return parseProof(curve, it.proof, it.publicSignals, pvk.nPublic);
    } catch (e) {
      if (e instanceof ZkError) {
        errors[j] = e;
        return null;
      }
      throw e;
    }
  });
  const good = parsed.map((p, j) => (p ? j : -1)).filter((j) => j >= 0);
  if (good.length === 0) return { allValid: n === 0, valid, errors, fellBack: false };
  if (good.length === 1) {
    valid[good[0]] = checkOne(pvk, parsed[good[0]] as ParsedProof);
    return { allValid: valid.every(Boolean), valid, errors, fellBack: false };
  }

  const zs = good.map(() => {
    for (;;) {
      const z = BigInt('0x' + randomBytes(16).toString('hex'));
      if (z !== 0n) return z;
    }
  });
  const icScalars: bigint[] = new Array(IC.length).fill(0n);
  let f = curve.Gt.one;
  let sumC = curve.G1.zero;
  const wcurve = options.threads ? await workerCurve() : null;
  const chunkSize = wcurve ? Math.max(1, Math.ceil(good.length / (wcurve.tm.concurrency * 2))) : 0;
  const pending: Promise<Buf>[] = [];
  const local: MillerPair[] = [];
  let chunk: [Buf, Buf][] = [];
  good.forEach((j, k) => {
    const pp = parsed[j] as ParsedProof;
    const z = zs[k];
    const zLE = scalarLE(z);
    icScalars[0] = (icScalars[0] + z) % SNARK_FIELD;
    for (let i = 0; i < pp.signals.length; i++) icScalars[i + 1] = (icScalars[i + 1] + z * pp.signals[i]) % SNARK_FIELD;
    const zA = curve.G1.timesScalar(pp.A, zLE);
    if (wcurve) {
      chunk.push([zA, pp.B]);
      if (chunk.length === chunkSize || k === good.length - 1) {
        pending.push(millerProductTask(curve, wcurve, chunk));
        chunk = [];
      }
    } else {
      local.push({ P: zA, Q: pp.B });
    }
    sumC = curve.G1.add(sumC, curve.G1.timesScalar(pp.C, zLE));
  });
  const sumL = linearCombination(curve, IC, icScalars);
  local.push(
    { P: curve.G1.neg(curve.G1.timesScalar(alpha, scalarLE(icScalars[0]))), Qprep: betaPrep },
    { P: curve.G1.neg(sumL), Qprep: gammaPrep },
    { P: curve.G1.neg(sumC), Qprep: deltaPrep },
  );
  f = curve.Gt.mul(f, millerProduct(curve, local));
  for (const part of await Promise.all(pending)) f = curve.Gt.mul(f, part);
  const ok = curve.Gt.eq(curve.finalExponentiation(f), curve.Gt.one);
  if (ok) {
    for (const j of good) valid[j] = true;
    return { allValid: good.length === n, valid, errors, fellBack: false };
  }
  for (const j of good) valid[j] = checkOne(pvk, parsed[j] as ParsedProof);
  return { allValid: false, valid, errors, fellBack: true };
}

/**
 * Re-randomise a valid Groth16 proof into a different valid proof of the same statement:
 * A' = A / r1, B' = r1 B + r1 r2 delta, C' = C + r2 A. Anyone can do this without the witness, which
 * is why the proof bytes (or a transaction id) must never be used as a uniqueness key: use the
 * nullifier. Used by tests and benchmarks to make many distinct proofs cheaply.
 */
export async function rerandomizeGroth16Proof(vk: Groth16VerificationKey, proof: Groth16Proof): Promise<Groth16Proof> {
  const curve = await verifierCurve();
  const A = g1(curve, proof.pi_a, 'pi_a', 'MALFORMED_PROOF');
  const B = g2(curve, proof.pi_b, 'pi_b', 'MALFORMED_PROOF', false);
  const C = g1(curve, proof.pi_c, 'pi_c', 'MALFORMED_PROOF');
  const delta = g2(curve, vk.vk_delta_2, 'vk_delta_2', 'INVALID_VERIFICATION_KEY', false);
  const rnd = () => (BigInt('0x' + randomBytes(32).toString('hex')) % (SNARK_FIELD - 1n)) + 1n;
  const r1 = rnd();
  const r2 = rnd();
  const r1inv = modPow(r1, SNARK_FIELD - 2n, SNARK_FIELD);
  const A2 = curve.G1.toAffine(curve.G1.timesScalar(A, scalarLE(r1inv)));
  const B2 = curve.G2.toAffine(curve.G2.add(curve.G2.timesScalar(B, scalarLE(r1)), curve.G2.timesScalar(delta, scalarLE((r1 * r2) % SNARK_FIELD))));
  const C2 = curve.G1.toAffine(curve.G1.add(C, curve.G1.timesScalar(A, scalarLE(r2))));
  const o1 = curve.G1.toObject(A2) as bigint[];
  const o2 = curve.G2.toObject(B2) as bigint[][];
  const o3 = curve.G1.toObject(C2) as bigint[];
  const s = (x: bigint) => x.toString();
  return {
    pi_a: [s(o1[0]), s(o1[1]), '1'],
    pi_b: [[s(o2[0][0]), s(o2[0][1])], [s(o2[1][0]), s(o2[1][1])], ['1', '0']],
    pi_c: [s(o3[0]), s(o3[1]), '1'],
    protocol: 'groth16',
    curve: 'bn128',
  };
}

function modPow(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n;
  let x = b % m;
  let k = e;
  while (k > 0n) {
    if (k & 1n) r = (r * x) % m;
    x = (x * x) % m;
    k >>= 1n;
  }
  return r;
}

/**
 * Release what proving left behind: snarkjs caches a multi-threaded BN254 curve (one worker per CPU)
 * in globalThis.curve_bn128 and never terminates it, so a script or a test run would not exit.
 * Call when done proving (a CLI, a test's afterAll). The verifier's single-threaded curve holds no
 * threads and is kept unless `alsoVerifier` is set.
 */
export async function releaseZk(alsoVerifier = false): Promise<void> {
  const g = globalThis as unknown as { curve_bn128?: { terminate(): Promise<void> } | null };
  if (g.curve_bn128) {
    const c = g.curve_bn128;
    g.curve_bn128 = null;
    await c.terminate();
  }
  threadedCurve = null;
  if (alsoVerifier) curvePromise = null;
}
