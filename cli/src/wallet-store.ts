import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import * as path from 'node:path';
import { channels, IbsKeyPair, KeyCertificate, KeyPair } from '@gridledger/core';
import { CliError, ExitCode } from './exit-codes';

/** A channel as one wallet keeps it: the library snapshot plus what the wallet needs to act on chain. */
export interface WalletChannel {
  snapshot: channels.ChannelSnapshot;
  channelKey: channels.ChannelKeyPair;
  /** Path of the peer's wallet, when the peer is a local wallet (tests, demos). */
  peerWallet?: string;
  status: 'open' | 'closing' | 'closed';
}

/** The user's wallet file: keys stay here, mode 600, never printed unless asked. */
export interface Wallet {
  version: 1;
  account: KeyPair;
  identity?: { key: IbsKeyPair; proofOfPossession?: string; certificate?: KeyCertificate };
  channels: Record<string, WalletChannel>;
}

export const DEFAULT_WALLET = () => process.env.GRIDLEDGER_WALLET ?? path.join(homedir(), '.config', 'gridledger', 'wallet.json');

export function loadWallet(file: string): Wallet {
  if (!existsSync(file)) throw new CliError(`no wallet at ${file} (create one with: gridledger wallet keygen --wallet ${file})`, ExitCode.Usage, 'NO_WALLET');
  try {
    const w = JSON.parse(readFileSync(file, 'utf8')) as Wallet;
    if (w.version !== 1 || !w.account?.publicKey) throw new Error('not a GridLedger wallet');
    w.channels ??= {};
    return w;
  } catch (err) {
    throw new CliError(`cannot read wallet ${file}: ${(err as Error).message}`, ExitCode.Usage, 'BAD_WALLET');
  }
}

/** Atomic write (temp file + rename), owner-only permissions. Call before sending anything a state depends on. */
export function saveWallet(file: string, w: Wallet): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(w, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

/** Writes a secret-bearing JSON file (KGC master, escrowed keys) with mode 600; refuses to overwrite. */
export function writeSecretFile(file: string, value: unknown, overwrite = false): void {
  if (existsSync(file) && !overwrite) throw new CliError(`${file} exists; refusing to overwrite it`, ExitCode.Usage, 'EXISTS');
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}

export function readJsonFile<T>(file: string, what: string): T {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (err) {
    throw new CliError(`cannot read ${what} ${file}: ${(err as Error).message}`, ExitCode.Usage, 'BAD_INPUT');
  }
}

/** The wallet's view of one of its channels as a library Channel. */
export function channelOf(w: Wallet, channelId: string): { wc: WalletChannel; ch: channels.Channel } {
  const wc = w.channels[channelId];
  if (!wc) throw new CliError(`the wallet has no channel ${channelId}`, ExitCode.NotFound, 'NOT_FOUND');
  const ch = new channels.Channel({ record: wc.snapshot.record, side: wc.snapshot.side, privateKey: wc.channelKey.privateKey, snapshot: wc.snapshot });
  return { wc, ch };
}
