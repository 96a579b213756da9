// Minimal ambient declarations for the untyped JavaScript libraries used by the ZK toolkit.
/* eslint-disable @typescript-eslint/no-explicit-any */
// Only what this folder calls; nothing here is re-exported.
declare module 'snarkjs' {
  export const groth16: {
    fullProve(input: Record<string, unknown>, wasm: string, zkey: string, logger?: unknown): Promise<{ proof: any; publicSignals: string[] }>;
    verify(vk: unknown, publicSignals: unknown, proof: unknown, logger?: unknown): Promise<boolean>;
  };
  export const wtns: {
    calculate(input: Record<string, unknown>, wasm: string, wtns: unknown, options?: unknown): Promise<void>;
  };
  export const curves: { getCurveFromName(name: string): Promise<any> };
  export const zKey: any;
  export const r1cs: any;
  export const powersOfTau: any;
}
declare module 'ffjavascript' {
  export function buildBn128(singleThread?: boolean): Promise<any>;
}
