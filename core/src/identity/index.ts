/**
 * @packageDocumentation Identity-based pairing multi-signature of the trading paper on BLS12-381,
 * plus the certified-key alternative in which the KGC cannot sign for users. See docs/identity.md.
 */
export { IdentityError, type IdentityErrorCode } from './errors';
export { DST as IBS_DST, CURVE_ORDER, idScalar } from './hash';
export {
  IBS_SCHEME,
  kgcSetup,
  systemParams,
  checkSystemParams,
  kgcExtract,
  userKeyGen,
  provePossession,
  verifyPossession,
  kgcCertify,
  verifyCertificate,
  type SystemParams,
  type KeyMode,
  type KeyCertificate,
  type IbsKeyPair,
} from './kgc';
export { ibsSign, ibsChainSign, ibsAggregate, ibsVerify, ibsVerifyCertified, type MultiSignature, type KeyLookup } from './multisig';
