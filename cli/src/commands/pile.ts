import { Command } from 'commander';
import { IbsKeyPair, KeyCertificate, provePossession, signRequest, userKeyGen } from '@gridledger/core';
import { GlobalOptions, withContract } from '../context';
import { table } from '../output/table';
import { Printer } from '../output/printer';
import { DEFAULT_WALLET, loadWallet, readJsonFile, writeSecretFile } from '../wallet-store';
import { positiveInt } from './kgc';

const utf8 = (b: Uint8Array) => Buffer.from(b).toString('utf8');

/** The next nonce of an account, read from the chain. */
export async function nextNonce(globals: GlobalOptions, account: string): Promise<number> {
  return withContract(globals, 'accounts', async (c) => (JSON.parse(utf8(await c.evaluateTransaction('GetAccount', account))).nonce as number) + 1);
}

/** `gridledger pile ...`: the operator's charging piles (registration locks collateral by power). */
export function pileCommand(globals: () => GlobalOptions, out: Printer): Command {
  const cmd = new Command('pile').description('charging piles (operator): key, registration with collateral, retirement, listing');

  cmd
    .command('keygen')
    .description('make a pile\'s BLS key (certified mode) and the request the Utility certifies')
    .requiredOption('--id <id>', 'the pile ID, e.g. pile:mall-3')
    .requiredOption('--out <file>', 'where to keep the pile key (mode 600)')
    .requiredOption('--request-out <file>', 'where to write the public request for `gridledger kgc certify`')
    .action((o: { id: string; out: string; requestOut: string }) => {
      const { key, proofOfPossession } = userKeyGen(o.id);
      writeSecretFile(o.out, { key });
      const request = { id: o.id, publicKey: key.publicKey, proofOfPossession };
      writeSecretFile(o.requestOut, request, true);
      out.result(request, () => `pile key for ${o.id} in ${o.out}; request for the KGC in ${o.requestOut}`);
    });

  cmd
    .command('register')
    .description('register a certified pile; collateral (power x rate) is debited from the operator wallet\'s account (operator org)')
    .requiredOption('--key <file>', 'the pile key file from `pile keygen`')
    .requiredOption('--cert <file>', 'the certificate from `kgc certify`')
    .requiredOption('--power-w <watts>', 'rated power in W')
    .option('--wallet <path>', 'the operator wallet whose account pays the collateral')
    .addHelpText('after', '\nExample:\n  $ gridledger --org operator --identity client pile register --key p.json --cert p-cert.json --power-w 22000 --wallet op.json')
    .action(async (o: { key: string; cert: string; powerW: string; wallet?: string }) => {
      const { key } = readJsonFile<{ key: IbsKeyPair }>(o.key, 'pile key');
      const certificate = readJsonFile<KeyCertificate>(o.cert, 'certificate');
      const w = loadWallet(o.wallet ?? DEFAULT_WALLET());
      const body = {
        id: key.id,
        certificate,
        proofOfPossession: provePossession(key),
        powerW: positiveInt(o.powerW, '--power-w'),
        collateralAccount: w.account.publicKey,
        nonce: await nextNonce(globals(), w.account.publicKey),
      };
      const signature = signRequest('pile-register', body, w.account.privateKey).signature;
      const r = await withContract(globals(), 'kgc', async (c) => JSON.parse(utf8(await c.submitTransaction('RegisterPile', JSON.stringify(body), signature))));
      out.result(r, () => `registered pile ${r.pile.id} (${r.pile.powerW} W); collateral ${r.pile.collateral} locked from ${r.pile.collateralAccount.slice(0, 16)}...`);
    });

  cmd
    .command('retire <id>')
    .description('retire a pile and release its collateral (operator org)')
    .action(async (id: string) => {
      const r = await withContract(globals(), 'kgc', async (c) => JSON.parse(utf8(await c.submitTransaction('RetirePile', id))));
      out.result(r, () => `retired ${r.id}; ${r.collateral} released to ${r.collateralAccount.slice(0, 16)}...`);
    });

  cmd
    .command('list')
    .description('every registered pile')
    .action(async () => {
      const piles = await withContract(globals(), 'kgc', async (c) => JSON.parse(utf8(await c.evaluateTransaction('ListPiles'))));
      out.result(piles, () =>
        table(['ID', 'POWER (W)', 'COLLATERAL', 'STATUS', 'REGISTERED'], piles.map((p: Record<string, any>) => [p.id, p.powerW, p.collateral, p.status, new Date(p.registeredAt * 1000).toISOString()])),
      );
    });

  return cmd;
}
