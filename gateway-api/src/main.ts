#!/usr/bin/env node
/**
 * `gridledger-gateway`: starts an org's REST gateway.
 *
 *   gridledger-gateway [--config gateway.yaml]   start (configuration: file + GRIDLEDGER_* environment)
 *   gridledger-gateway hash-key <key>            print the SHA-256 to put in the configuration
 *   gridledger-gateway new-key                   print a fresh random API key and its hash
 *   gridledger-gateway check-config [--config f] validate the configuration and exit
 */
import { randomBytes } from 'node:crypto';
import { loadConnectionProfile } from '@gridledger/core';
import { ConfigError, ENV_VARS, loadConfig } from './config/config';
import { FabricLedgerClient } from './fabric/fabric-ledger';
import { buildDeps } from './http/app';
import { hashApiKey } from './http/auth';
import { createLogger } from './http/logger';
import { Gateway } from './server';
import { createStore } from './store/create-store';

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === 'hash-key') {
    if (!rest[0]) {
      console.error('usage: gridledger-gateway hash-key <key>');
      return 2;
    }
    console.log(hashApiKey(rest[0]));
    return 0;
  }
  if (cmd === 'new-key') {
    const key = `glk_${randomBytes(24).toString('base64url')}`;
    console.log(JSON.stringify({ key, sha256: hashApiKey(key) }, null, 2));
    return 0;
  }
  if (cmd === '--help' || cmd === 'help') {
    console.log('usage: gridledger-gateway [--config file] | hash-key <key> | new-key | check-config\n\nenvironment:');
    for (const [k, v] of Object.entries(ENV_VARS)) console.log(`  ${k.padEnd(30)} ${v}`);
    return 0;
  }
  const checkOnly = cmd === 'check-config';
  const args = checkOnly ? rest : argv;

  let config;
  try {
    config = loadConfig({ argv: args });
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 78; // EX_CONFIG
    }
    throw err;
  }
  let profile;
  try {
    profile = loadConnectionProfile(config.profilePath);
  } catch (err) {
    console.error(`invalid gateway configuration:\n  - ${(err as Error).message}`);
    return 78;
  }
  if (checkOnly) {
    console.log(`configuration OK: org ${config.org} (${profile.mspId}), store ${config.store.kind}, ${config.auth.apiKeys.length} API key(s), ${config.auth.mtls.length} mTLS rule(s)`);
    return 0;
  }

  const log = createLogger(config.log.level);
  const store = await createStore(config.store);
  const ledger = new FabricLedgerClient(profile, config.fabric);
  const gateway = new Gateway(buildDeps({ config, ledger, store, log }));
  await gateway.start();

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal });
    gateway.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error('shutdown failed', { error: err as Error });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  return -1; // keep running
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      if (code >= 0) process.exit(code);
    },
    (err: unknown) => {
      console.error(`gridledger-gateway: ${(err as Error).stack ?? String(err)}`);
      process.exit(1);
    },
  );
}

export { main };
