import { ChannelError } from './errors';
import { generateChannelKey, type ChannelKeyPair } from './signing';
import type { ChannelRecord } from './settlement';

/** Shared fixtures for the channel tests (not exported from the package index). */
export const NOW = 1_700_000_000;

export function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof ChannelError) return e.code;
    throw e;
  }
  return undefined;
}

export function fixture(channelId = 'ch-1', deposits = { a: '1000', b: '500' }, disputeWindow = 3600) {
  const ka: ChannelKeyPair = generateChannelKey();
  const kb: ChannelKeyPair = generateChannelKey();
  const record: ChannelRecord = { channelId, keys: { a: ka.publicKey, b: kb.publicKey }, deposits, disputeWindow };
  return { ka, kb, record, privs: { a: ka.privateKey, b: kb.privateKey } };
}
