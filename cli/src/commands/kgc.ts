import { Command } from 'commander';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import * as path from 'node:path';
import { kgcCertify, kgcExtract, kgcSetup, provePossession, SystemParams } from '@gridledger/core';
import { GlobalOptions, withContract } from '../context';
import { CliError, ExitCode } from '../exit-codes';
import { keyValues } from '../output/table';
import { Printer } from '../output/printer';
import { readJsonFile, writeSecretFile } from '../wallet-store';

const utf8 = (b: Uint8Array) => Buffer.from(b).toString('utf8');
export const DEFAULT_KGC_FILE = () => process.env.GRIDLEDGER_KGC_FILE ?? path.join(homedir(), '.config', 'gridledger', 'kgc.json');

/** A registration request made on the user's (or pile's) device: public key and proof of possession. */
export interface KeyRequest {
  id: string;
  publicKey: string;
  proofOfPossession: string;
}

export function positiveInt(v: string, what: string): number {
  if (!/^\d{1,15}$/.test(v)) throw new CliError(`${what} must be a non-negative integer`, ExitCode.Usage, 'USAGE');
  return Number(v);
}

function loadMaster(file: string): { master: string; params: SystemParams } {
  if (!existsSync(file)) throw new CliError(`no KGC secret at ${file}: run \`gridledger --org utility kgc setup\` first`, ExitCode.Usage, 'NO_KGC');
  return readJsonFile(file, 'KGC secret');
}

/** `gridledger kgc ...`: the Utility's key generation centre (trading paper, Table 2). */
export function kgcCommand(globals: () => GlobalOptions, out: Printer): Command {
  const cmd = new Command('kgc').description('the key generation centre (Utility): system parameters, user registration, certificates');
  const call = <T>(fn: string, submit: boolean, ...args: string[]) =>
    withContract(globals(), 'kgc', async (c) => JSON.parse(utf8(submit ? await c.submitTransaction(fn, ...args) : await c.evaluateTransaction(fn, ...args))) as T);

  cmd
    .command('setup')
    .description('draw a master secret, keep it in a mode-600 file and publish P_pub (Utility admin)')
    .option('--kgc-file <path>', 'where the master secret is kept (default ~/.config/gridledger/kgc.json)')
    .option('--rotate', 'replace an existing master secret (registered identities stay valid)')
    .addHelpText('after', '\nExamples:\n  $ gridledger --org utility kgc setup\n  $ gridledger --org utility kgc setup --kgc-file /secure/kgc.json --json')
    .action(async (o: { kgcFile?: string; rotate?: boolean }) => {
      const file = o.kgcFile ?? DEFAULT_KGC_FILE();
      const setup = kgcSetup();
      writeSecretFile(file, setup, o.rotate === true);
      const published = await call<{ version: number; txId: string }>('Setup', true, JSON.stringify(setup.params));
      out.result({ ...published, kgcFile: file }, () => `published KGC parameters version ${published.version} (P_pub ${setup.params.pPub.slice(0, 16)}...) in ${published.txId}; master secret in ${file}`);
    });

  cmd
    .command('params')
    .description('show the KGC system parameters and the trading parameters')
    .action(async () => {
      const p = await call<{ kgc: { version: number; params: SystemParams } | null; trading: Record<string, number> }>('GetParams', false);
      out.result(p, () =>
        keyValues([
          ['KGC version', p.kgc?.version ?? 'not set up'],
          ['P_pub', p.kgc?.params.pPub],
          ['collateral per kW', p.trading.collateralPerKw],
          ['dispute window (s)', `${p.trading.disputeWindowS} (allowed ${p.trading.minDisputeWindowS}..${p.trading.maxDisputeWindowS})`],
        ]),
      );
    });

  cmd
    .command('set-trading')
    .description('set pile collateral per kW and the channel dispute window default and bounds (Utility admin)')
    .requiredOption('--collateral-per-kw <n>', 'payment units locked per kW of pile power')
    .requiredOption('--dispute-window <s>', 'default dispute window, seconds')
    .option('--min-window <s>', 'shortest dispute window an open may ask for', '60')
    .option('--max-window <s>', 'longest dispute window', String(14 * 86400))
    .action(async (o: { collateralPerKw: string; disputeWindow: string; minWindow: string; maxWindow: string }) => {
      const params = {
        collateralPerKw: positiveInt(o.collateralPerKw, '--collateral-per-kw'),
        disputeWindowS: positiveInt(o.disputeWindow, '--dispute-window'),
        minDisputeWindowS: positiveInt(o.minWindow, '--min-window'),
        maxDisputeWindowS: positiveInt(o.maxWindow, '--max-window'),
      };
      const published = await call<{ version: number; txId: string }>('SetTradingParams', true, JSON.stringify(params));
      out.result(published, () => `trading parameters version ${published.version} in ${published.txId}`);
    });

  cmd
    .command('register-user')
    .description('register a user: escrow mode (the KGC derives the key) or certified mode (the user\'s own key) (Utility admin)')
    .requiredOption('--id <id>', 'the unique user ID, e.g. user:alice')
    .option('--mode <mode>', 'escrow or certified', 'certified')
    .option('--request <file>', 'certified mode: the request from `gridledger wallet keygen --id` ({id, publicKey, proofOfPossession})')
    .option('--out <file>', 'escrow mode: where to write the user\'s key and certificate (mode 600) for delivery')
    .option('--account <hex>', 'the user\'s Ed25519 account key, recorded with the identity')
    .option('--expiry-days <n>', 'certificate lifetime in days', '365')
    .option('--kgc-file <path>', 'the KGC master secret file')
    .addHelpText('after', '\nExamples:\n  $ gridledger --org utility kgc register-user --id user:alice --request alice-request.json\n  $ gridledger --org utility kgc register-user --id user:bob --mode escrow --out bob-key.json')
    .action(async (o: { id: string; mode: string; request?: string; out?: string; account?: string; expiryDays: string; kgcFile?: string }) => {
      const { master } = loadMaster(o.kgcFile ?? DEFAULT_KGC_FILE());
      const expiry = Math.floor(Date.now() / 1000) + positiveInt(o.expiryDays, '--expiry-days') * 86400;
      let registration: Record<string, unknown>;
      if (o.mode === 'escrow') {
        if (!o.out) throw new CliError('escrow mode needs --out <file> for the derived key', ExitCode.Usage, 'USAGE');
        const ex = kgcExtract(master, { id: o.id, role: 'user', expiry });
        registration = { id: o.id, certificate: ex.certificate, proofOfPossession: provePossession(ex.key) };
        writeSecretFile(o.out, { key: ex.key, certificate: ex.certificate });
      } else if (o.mode === 'certified') {
        if (!o.request) throw new CliError('certified mode needs --request <file>', ExitCode.Usage, 'USAGE');
        const req = readJsonFile<KeyRequest>(o.request, 'key request');
        if (req.id !== o.id) throw new CliError(`the request is for ${req.id}, not ${o.id}`, ExitCode.Usage, 'USAGE');
        let certificate;
        try {
          certificate = kgcCertify(master, { id: o.id, role: 'user', expiry, publicKey: req.publicKey, proofOfPossession: req.proofOfPossession });
        } catch (err) {
          throw new CliError(`INVALID_PROOF: ${(err as Error).message}`, ExitCode.Usage, 'INVALID_PROOF');
        }
        registration = { id: o.id, certificate, proofOfPossession: req.proofOfPossession };
      } else {
        throw new CliError('--mode must be escrow or certified', ExitCode.Usage, 'USAGE');
      }
      if (o.account) registration.account = o.account;
      const rec = await call<{ id: string; mode: string; certificate: unknown }>('RegisterUser', true, JSON.stringify(registration));
      out.result(rec, () => `registered ${rec.id} (${rec.mode})${o.out ? `; key for delivery in ${o.out}` : ''}`);
    });

  cmd
    .command('certify')
    .description('certify a key request off chain, e.g. a charging pile\'s for the operator to register (Utility)')
    .requiredOption('--request <file>', '{id, publicKey, proofOfPossession}')
    .requiredOption('--out <file>', 'where to write the certificate')
    .option('--role <role>', 'pile or user', 'pile')
    .option('--expiry-days <n>', 'certificate lifetime in days', '365')
    .option('--kgc-file <path>', 'the KGC master secret file')
    .action((o: { request: string; out: string; role: string; expiryDays: string; kgcFile?: string }) => {
      const { master } = loadMaster(o.kgcFile ?? DEFAULT_KGC_FILE());
      const req = readJsonFile<KeyRequest>(o.request, 'key request');
      const expiry = Math.floor(Date.now() / 1000) + positiveInt(o.expiryDays, '--expiry-days') * 86400;
      let certificate;
      try {
        certificate = kgcCertify(master, { id: req.id, role: o.role, expiry, publicKey: req.publicKey, proofOfPossession: req.proofOfPossession });
      } catch (err) {
        throw new CliError(`INVALID_PROOF: ${(err as Error).message}`, ExitCode.Usage, 'INVALID_PROOF');
      }
      writeSecretFile(o.out, certificate, true);
      out.result(certificate, () => `certificate for ${req.id} (${o.role}) written to ${o.out}`);
    });

  cmd
    .command('revoke <id>')
    .description('revoke a registered identity: it binds no new channel and cannot register again; open channels run to their close (Utility admin)')
    .requiredOption('--reason <text>', 'why (on chain, 1-200 printable characters), e.g. "phone stolen"')
    .addHelpText('after', '\nExample:\n  $ gridledger --org utility kgc revoke user:alice --reason "phone stolen"')
    .action(async (id: string, o: { reason: string }) => {
      const rec = await call<Record<string, any>>('RevokeIdentity', true, id, o.reason);
      out.result(rec, () => `revoked ${rec.id} (${rec.kind}): ${rec.revocationReason}`);
    });

  cmd
    .command('show <id>')
    .description('a registered identity: mode, certificate, status')
    .action(async (id: string) => {
      const rec = await call<Record<string, any>>('GetIdentity', false, id);
      out.result(rec, () =>
        keyValues([
          ['id', rec.id],
          ['kind', rec.kind],
          ['mode', rec.mode],
          ['status', rec.status],
          ['revoked', rec.revokedAt ? `${new Date(rec.revokedAt * 1000).toISOString()}: ${rec.revocationReason}` : undefined],
          ['public key', `${rec.certificate.publicKey.slice(0, 24)}...`],
          ['expires', new Date(rec.certificate.expiry * 1000).toISOString()],
          ['account', rec.account],
        ]),
      );
    });

  return cmd;
}
