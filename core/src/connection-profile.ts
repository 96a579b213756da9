import { readFileSync } from 'node:fs';
import { isOrgMsp, OrgMsp } from './orgs';

/** One Fabric node as the network scripts describe it in a connection profile. */
export interface NodeEndpoint {
  name: string;
  /** host:port of the node's gRPC listener. */
  endpoint: string;
  /** Name in the node's TLS certificate, used as the gRPC target-name override. */
  hostAlias: string;
  tlsCaCertPath: string;
  /** host:port of the node's operations service (/healthz, /metrics). */
  operationsEndpoint: string;
}

export interface IdentityFiles {
  certPath: string;
  keyPath: string;
}

/**
 * What an org's gateway or CLI needs to reach the network, written by `network/network.sh up` to
 * `network/.run/profiles/<org>.json`.
 */
export interface ConnectionProfile {
  org: string;
  mspId: OrgMsp;
  channel: string;
  chaincode: string;
  /** The org's own peer, which the client connects to. */
  peer: NodeEndpoint;
  /** The org's identities: `admin` for org duties, `client` for relaying end-user operations. */
  identities: { admin: IdentityFiles; client: IdentityFiles };
  /** Every peer and orderer of the network, for health views. */
  peers: NodeEndpoint[];
  orderers: NodeEndpoint[];
}

/** Reads and checks a connection profile; throws a message naming the file and the bad field. */
export function loadConnectionProfile(path: string): ConnectionProfile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read connection profile ${path}: ${(err as Error).message}`);
  }
  const p = raw as Partial<ConnectionProfile>;
  const missing = (['org', 'mspId', 'channel', 'chaincode', 'peer', 'identities'] as const).filter((k) => p[k] === undefined);
  if (missing.length) throw new Error(`connection profile ${path} lacks ${missing.join(', ')}`);
  if (!isOrgMsp(String(p.mspId))) throw new Error(`connection profile ${path}: unknown mspId ${String(p.mspId)}`);
  return { peers: [], orderers: [], ...p } as ConnectionProfile;
}
