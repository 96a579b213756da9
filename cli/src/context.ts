import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import * as path from 'node:path';
import { Contract } from '@hyperledger/fabric-gateway';
import { CHAINCODE_NAME, ConnectionProfile, loadConnectionProfile } from '@gridledger/core';
import { chaincodeRefusal, connectGateway, FabricConnection, IdentityRole } from '@gridledger/core/dist/fabric';
import { CliError, ExitCode } from './exit-codes';

export const ORG_NAMES = ['utility', 'guarantora', 'guarantorb', 'operator'] as const;
export type OrgName = (typeof ORG_NAMES)[number];

/** The global options every command sees. */
export interface GlobalOptions {
  org?: string;
  identity?: string;
  profile?: string;
  config?: string;
  json?: boolean;
}

/** Repository root: the CLI runs from its build in cli/dist. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

interface FileConfig {
  org?: string;
  identity?: string;
  profile?: string;
}

/** Flags win over the config file, which wins over the environment's defaults. */
export function resolveSettings(opts: GlobalOptions, env = process.env): { org: OrgName; identity: IdentityRole; profilePath: string } {
  const configPath = opts.config ?? env.GRIDLEDGER_CONFIG ?? path.join(homedir(), '.config', 'gridledger', 'cli.json');
  let file: FileConfig = {};
  if (existsSync(configPath)) {
    try {
      file = JSON.parse(readFileSync(configPath, 'utf8')) as FileConfig;
    } catch (err) {
      throw new CliError(`config file ${configPath} is not valid JSON: ${(err as Error).message}`, ExitCode.Usage, 'BAD_CONFIG');
    }
  } else if (opts.config) {
    throw new CliError(`config file ${configPath} does not exist`, ExitCode.Usage, 'BAD_CONFIG');
  }
  const org = opts.org ?? file.org ?? env.GRIDLEDGER_ORG ?? 'utility';
  if (!(ORG_NAMES as readonly string[]).includes(org)) {
    throw new CliError(`unknown org "${org}"; use one of ${ORG_NAMES.join(', ')}`, ExitCode.Usage, 'BAD_ORG');
  }
  const identity = opts.identity ?? file.identity ?? 'admin';
  if (identity !== 'admin' && identity !== 'client') throw new CliError(`--identity must be admin or client, got "${identity}"`, ExitCode.Usage, 'BAD_IDENTITY');
  const runDir = env.GRIDLEDGER_RUN_DIR ?? path.join(REPO_ROOT, 'network', '.run');
  const profilePath = opts.profile ?? file.profile ?? path.join(runDir, 'profiles', `${org}.json`);
  return { org: org as OrgName, identity, profilePath };
}

/** Opens the org's connection for one command and closes it afterwards. */
export async function withContract<T>(opts: GlobalOptions, contractName: string, work: (contract: Contract, profile: ConnectionProfile) => Promise<T>): Promise<T> {
  const { identity, profilePath } = resolveSettings(opts);
  if (!existsSync(profilePath)) {
    throw new CliError(`no connection profile at ${profilePath}: is the network up? (npm run network -- up)`, ExitCode.Unreachable, 'NO_PROFILE');
  }
  const profile = loadConnectionProfile(profilePath);
  let conn: FabricConnection | undefined;
  try {
    conn = connectGateway(profile, identity);
    const contract = conn.gateway.getNetwork(profile.channel).getContract(profile.chaincode ?? CHAINCODE_NAME, contractName);
    return await work(contract, profile);
  } catch (err) {
    throw toCliError(err);
  } finally {
    conn?.close();
  }
}

/** Maps a Fabric client error to the CLI's exit codes: refusals, not found, unreachable. */
export function toCliError(err: unknown): CliError {
  if (err instanceof CliError) return err;
  const refusal = chaincodeRefusal(err);
  if (refusal) return new CliError(`${refusal.code}: ${refusal.message}`, refusal.code === 'NOT_FOUND' ? ExitCode.NotFound : ExitCode.Refused, refusal.code);
  const code = (err as { code?: number }).code;
  // gRPC UNAVAILABLE (14) and DEADLINE_EXCEEDED (4): the peer is down or too slow.
  if (code === 14 || code === 4) return new CliError(`the network could not be reached: ${(err as Error).message}`, ExitCode.Unreachable, 'UNREACHABLE');
  return new CliError((err as Error)?.message ?? String(err), ExitCode.Failure);
}
