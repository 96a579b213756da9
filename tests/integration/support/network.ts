import { Contract } from '@hyperledger/fabric-gateway';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CHAINCODE_NAME, CHANNEL_NAME, ConnectionProfile, loadConnectionProfile } from '@gridledger/core';
import { connectGateway, FabricConnection, IdentityRole } from '@gridledger/core/dist/fabric';

export const ROOT = path.join(__dirname, '..', '..', '..');
const STATE_FILE = path.join(ROOT, 'network', '.integration-state.json');

export type OrgName = 'utility' | 'guarantora' | 'guarantorb' | 'operator';
export const ORG_NAMES: OrgName[] = ['utility', 'guarantora', 'guarantorb', 'operator'];

/** Whether global-setup brought up (or found) a network; tests on the network skip otherwise. */
export function networkAvailable(): boolean {
  if (!existsSync(STATE_FILE)) return false;
  return JSON.parse(readFileSync(STATE_FILE, 'utf8')).available === true;
}

/**
 * `describe` for suites that need the real network. Without one, the suite's body is not even run
 * (it would open connections) and a single skipped test says why.
 */
export function describeOnNetwork(name: string, body: () => void): void {
  if (networkAvailable()) describe(name, body);
  else describe.skip(name, () => it('needs the Fabric network (see the integration setup message)', () => undefined));
}

export function profile(org: OrgName): ConnectionProfile {
  return loadConnectionProfile(path.join(ROOT, 'network', '.run', 'profiles', `${org}.json`));
}

/** Opens connections and closes them all at the end of a suite. */
export class Connections {
  private readonly open: FabricConnection[] = [];

  contract(org: OrgName, role: IdentityRole = 'admin', contractName?: string): Contract {
    const conn = connectGateway(profile(org), role);
    this.open.push(conn);
    return conn.gateway.getNetwork(CHANNEL_NAME).getContract(CHAINCODE_NAME, contractName);
  }

  network(org: OrgName, role: IdentityRole = 'admin') {
    const conn = connectGateway(profile(org), role);
    this.open.push(conn);
    return conn.gateway.getNetwork(CHANNEL_NAME);
  }

  closeAll(): void {
    for (const c of this.open.splice(0)) c.close();
  }
}

export const utf8 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');
