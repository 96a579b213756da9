import * as grpc from '@grpc/grpc-js';
import { connect, Gateway, hash, Identity, signers } from '@hyperledger/fabric-gateway';
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConnectionProfile, NodeEndpoint } from '../connection-profile';

/** Which of the org's identities to act as: `admin` for org duties, `client` to relay users. */
export type IdentityRole = 'admin' | 'client';

/** Deadlines per step, from the Fabric gateway conventions: endorsement waits on 3 orgs. */
export const DEFAULT_DEADLINES_MS = { evaluate: 5_000, endorse: 15_000, submit: 5_000, commitStatus: 60_000 } as const;

/** A gRPC client for one node, with its TLS CA and the name in its certificate. */
export function grpcClientFor(node: NodeEndpoint): grpc.Client {
  const credentials = grpc.credentials.createSsl(readFileSync(node.tlsCaCertPath));
  return new grpc.Client(node.endpoint, credentials, { 'grpc.ssl_target_name_override': node.hostAlias });
}

/** The org identity and signer named by the profile's certificate and key files. */
export function identityFor(profile: ConnectionProfile, role: IdentityRole): { identity: Identity; signer: ReturnType<typeof signers.newPrivateKeySigner> } {
  const files = profile.identities[role];
  const identity = { mspId: profile.mspId, credentials: readFileSync(files.certPath) };
  const signer = signers.newPrivateKeySigner(createPrivateKey(readFileSync(files.keyPath)));
  return { identity, signer };
}

/** An open connection to the org's peer; close it to release the gRPC channel. */
export interface FabricConnection {
  gateway: Gateway;
  client: grpc.Client;
  close(): void;
}

/** Connects to the org's own peer as the org's admin or client identity. */
export function connectGateway(profile: ConnectionProfile, role: IdentityRole = 'client'): FabricConnection {
  const client = grpcClientFor(profile.peer);
  const { identity, signer } = identityFor(profile, role);
  const gateway = connect({
    client,
    identity,
    signer,
    hash: hash.sha256,
    evaluateOptions: () => ({ deadline: Date.now() + DEFAULT_DEADLINES_MS.evaluate }),
    endorseOptions: () => ({ deadline: Date.now() + DEFAULT_DEADLINES_MS.endorse }),
    submitOptions: () => ({ deadline: Date.now() + DEFAULT_DEADLINES_MS.submit }),
    commitStatusOptions: () => ({ deadline: Date.now() + DEFAULT_DEADLINES_MS.commitStatus }),
  });
  return {
    gateway,
    client,
    close() {
      gateway.close();
      client.close();
    },
  };
}
