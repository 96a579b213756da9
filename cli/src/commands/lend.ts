/**
 * `gridledger lend ...`: a lender's and a borrower's side of the lending paper. Notes, the borrower
 * identity secret, credentials and repay secrets stay in a local lending wallet (mode 600), written
 * before anything that depends on them is sent, and never printed unless --show-secrets.
 */
import { Command } from 'commander';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import * as path from 'node:path';
import {
  BorrowContext, canonicalJson, createBorrowerIdentity, createPoolNote, decodePoolNote, encodePoolNote, generateKeyPair, identityCommitment,
  identitySecretHash, identityToField, KeyPair, minScore, noteCommitment, proveBorrowRequest, proveWithdrawRequest, releaseZk, signRequest,
} from '@gridledger/core';
import { GlobalOptions } from '../context';
import { CliError, ExitCode } from '../exit-codes';
import { keyValues, table } from '../output/table';
import { Printer } from '../output/printer';
import { readJsonFile } from '../wallet-store';
import { evaluateJson, hexKey, proving, submitJson, uint } from './lending-common';

export interface LendCredential {
  guarantor: string;
  guarantorId: number;
  leafIndex: number;
  score: number;
  /** The loan it backs, once used. */
  spentBy?: string;
}

export interface LendWallet {
  version: 1;
  kind: 'gridledger-lending';
  account: KeyPair;
  identities: Record<string, { identitySecret: string; credentials: LendCredential[] }>;
  notes: Array<{ poolId: string; note: string; commitment: string; status: 'pending' | 'deposited' | 'withdrawn'; paidTo?: string }>;
  loans: Array<{ loanId: string; poolId: string; identity: string; guarantor: string; repaySecret: string; amount: number; repayDue?: number; dueAt?: number; recipient: string; status: 'pending' | 'open' | 'repaid' }>;
}

export const DEFAULT_LEND_WALLET = () => process.env.GRIDLEDGER_LEND_WALLET ?? path.join(homedir(), '.config', 'gridledger', 'lending.json');

export function loadLendWallet(file: string): LendWallet {
  if (!existsSync(file)) throw new CliError(`no lending wallet at ${file} (create one with: gridledger lend --wallet ${file} init)`, ExitCode.Usage, 'NO_WALLET');
  try {
    const w = JSON.parse(readFileSync(file, 'utf8')) as LendWallet;
    if (w.kind !== 'gridledger-lending' || !w.account?.publicKey) throw new Error('not a GridLedger lending wallet');
    return w;
  } catch (err) {
    throw new CliError(`cannot read lending wallet ${file}: ${(err as Error).message}`, ExitCode.Usage, 'BAD_WALLET');
  }
}

/** Atomic write, owner-only. */
export function saveLendWallet(file: string, w: LendWallet): void {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(w, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

/** What the borrower gives its guarantor: the identity and the commitment, never the secret. */
export function identityRequest(identity: string, identitySecret: string): { identity: string; identityCommitment: string } {
  return { identity, identityCommitment: identityCommitment(identityToField(identity), identitySecretHash(BigInt(identitySecret))).toString() };
}

export function lendCommand(globals: () => GlobalOptions, out: Printer): Command {
  const cmd = new Command('lend')
    .description('lend and borrow anonymously: deposit notes, withdraw, identity and credentials, borrow with a proof, repay (relayed by --org/--identity)')
    .option('--wallet <path>', 'lending wallet file (default ~/.config/gridledger/lending.json, env GRIDLEDGER_LEND_WALLET)');
  const file = () => cmd.opts<{ wallet?: string }>().wallet ?? DEFAULT_LEND_WALLET();
  const nextNonce = async (account: string) => ((await evaluateJson(globals(), 'accounts', 'GetAccount', account)).nonce as number) + 1;

  cmd
    .command('init')
    .description('create the lending wallet with a fresh account key (or the account of a user wallet)')
    .option('--import-wallet <path>', 'use the account key of this `gridledger wallet` file')
    .option('--force', 'overwrite an existing lending wallet (its notes and secrets are lost)')
    .action((o: { importWallet?: string; force?: boolean }) => {
      const f = file();
      if (existsSync(f) && !o.force) throw new CliError(`a lending wallet already exists at ${f} (use --force to replace it)`, ExitCode.Usage, 'EXISTS');
      const account = o.importWallet ? readJsonFile<{ account: KeyPair }>(o.importWallet, 'wallet').account : generateKeyPair();
      if (!account?.privateKey) throw new CliError(`${o.importWallet} holds no account key`, ExitCode.Usage, 'BAD_INPUT');
      saveLendWallet(f, { version: 1, kind: 'gridledger-lending', account, identities: {}, notes: [], loans: [] });
      out.result({ wallet: f, account: account.publicKey }, () => `lending wallet ${f} (mode 600)\naccount ${account.publicKey}`);
    });

  cmd
    .command('identity <identity>')
    .description('make (or show) a borrower identity and print what to give the guarantor; with --add-credential, record the credential it issued')
    .option('--add-credential', 'record a credential issued by a guarantor')
    .option('--guarantor <msp>', 'with --add-credential: GuarantorAMSP or GuarantorBMSP')
    .option('--index <n>', 'with --add-credential: the leaf index')
    .option('--score <n>', 'with --add-credential: the credit score C_b granted')
    .addHelpText('after', '\nExamples:\n  $ gridledger lend identity user:alice\n  $ gridledger lend identity user:alice --add-credential --guarantor GuarantorAMSP --index 4 --score 700')
    .action((identity: string, o: { addCredential?: boolean; guarantor?: string; index?: string; score?: string }) => {
      const f = file();
      const w = loadLendWallet(f);
      if (!w.identities[identity]) {
        w.identities[identity] = { identitySecret: createBorrowerIdentity(identityToField(identity)).identitySecret.toString(), credentials: [] };
      }
      if (o.addCredential) {
        if (!o.guarantor || o.index === undefined || o.score === undefined) throw new CliError('--add-credential needs --guarantor, --index and --score', ExitCode.Usage, 'USAGE');
        const gid = ({ GuarantorAMSP: 1, GuarantorBMSP: 2 } as Record<string, number>)[o.guarantor];
        if (!gid) throw new CliError('--guarantor must be GuarantorAMSP or GuarantorBMSP', ExitCode.Usage, 'USAGE');
        w.identities[identity].credentials.push({ guarantor: o.guarantor, guarantorId: gid, leafIndex: uint(o.index, '--index'), score: uint(o.score, '--score') });
      }
      saveLendWallet(f, w);
      const req = identityRequest(identity, w.identities[identity].identitySecret);
      const creds = w.identities[identity].credentials;
      out.result({ ...req, credentials: creds }, () =>
        [
          keyValues([['identity', identity], ['commitment', req.identityCommitment]]),
          'give the guarantor your identity and this commitment (never the wallet file)',
          ...(creds.length ? ['', table(['GUARANTOR', 'LEAF', 'C_b', 'USED BY'], creds.map((c) => [c.guarantor, c.leafIndex, c.score, c.spentBy ?? '-']))] : []),
        ].join('\n'),
      );
    });

  cmd
    .command('deposit <poolId>')
    .description('deposit one note of the pool\'s denomination from the wallet\'s account (the note is saved first)')
    .action(async (poolId: string) => {
      const f = file();
      const w = loadLendWallet(f);
      const pool = await evaluateJson(globals(), 'pool', 'GetPool', poolId);
      const note = createPoolNote();
      const commitment = noteCommitment(note).toString();
      w.notes.push({ poolId, note: encodePoolNote(note), commitment, status: 'pending' });
      saveLendWallet(f, w);
      const body = { poolId, commitment, account: w.account.publicKey, nonce: await nextNonce(w.account.publicKey) };
      const req = signRequest('deposit', body, w.account.privateKey);
      await submitJson(globals(), 'pool', 'Deposit', canonicalJson(req.body), req.signature);
      w.notes.find((n) => n.commitment === commitment)!.status = 'deposited';
      saveLendWallet(f, w);
      out.result({ poolId, commitment, denominationWh: pool.denominationWh }, () => `deposited ${pool.denominationWh} Wh into ${poolId}; the note is in ${f}`);
    });

  cmd
    .command('withdraw <poolId>')
    .description('withdraw (or take the refund of) one of the wallet\'s notes of a closed or refunding pool, with a proof, to any account')
    .option('--to <hex>', 'recipient account (default: a fresh account, kept in the wallet; better for privacy than the depositing one)')
    .option('--relayer <hex>', 'relayer account paid the fee (default: the recipient)')
    .option('--fee <wh>', 'fee to the relayer', '0')
    .action(async (poolId: string, o: { to?: string; relayer?: string; fee: string }) => {
      const f = file();
      const w = loadLendWallet(f);
      const entry = w.notes.find((n) => n.poolId === poolId && n.status === 'deposited');
      if (!entry) throw new CliError(`the wallet has no unspent note of pool ${poolId}`, ExitCode.NotFound, 'NOT_FOUND');
      let to = o.to ? hexKey(o.to, '--to') : undefined;
      if (!to) {
        const fresh = generateKeyPair();
        (w as LendWallet & { payoutAccounts?: KeyPair[] }).payoutAccounts = [...((w as { payoutAccounts?: KeyPair[] }).payoutAccounts ?? []), fresh];
        saveLendWallet(f, w);
        to = fresh.publicKey;
      }
      const leaves = await evaluateJson(globals(), 'pool', 'GetPoolLeaves', poolId);
      if (!leaves.sealed) throw new CliError(`pool ${poolId} is not sealed yet`, ExitCode.Refused, 'FORBIDDEN_STATE');
      const fee = uint(o.fee, '--fee');
      const req = await proving(globals(), 'proving the withdrawal', () =>
        proveWithdrawRequest(decodePoolNote(entry.note), { poolId, leaves: leaves.leaves, root: leaves.root }, { recipient: to!, relayer: o.relayer ? hexKey(o.relayer, '--relayer') : to!, fee }),
      ).finally(() => releaseZk());
      const paid = await submitJson(globals(), 'pool', 'Withdraw', canonicalJson(req));
      entry.status = 'withdrawn';
      entry.paidTo = to;
      saveLendWallet(f, w);
      out.result(paid, () => `${paid.kind}: ${paid.paid} Wh to ${to} (fee ${paid.fee} Wh)`);
    });

  cmd
    .command('borrow <poolId>')
    .description('borrow anonymously from an open pool with a zero-knowledge proof over an unused credential')
    .requiredOption('--amount <wh>', 'amount M_b in Wh')
    .requiredOption('--duration <s>', 'duration D_b in seconds')
    .option('--as <identity>', 'which wallet identity borrows (default: the only one)')
    .option('--min-score <n>', 'the bound proven (default: C(M, D) from the published parameters)')
    .option('--recipient <hex>', 'where the energy goes (default: the wallet\'s account)')
    .option('--relayer <hex>', 'relayer account named in the proof (default: the recipient)')
    .addHelpText('after', '\nExample:\n  $ gridledger --org operator --identity client lend borrow pool-7 --amount 1000 --duration 86400')
    .action(async (poolId: string, o: { amount: string; duration: string; as?: string; minScore?: string; recipient?: string; relayer?: string }) => {
      const f = file();
      const w = loadLendWallet(f);
      const names = Object.keys(w.identities);
      const name = o.as ?? (names.length === 1 ? names[0] : undefined);
      if (!name || !w.identities[name]) throw new CliError(o.as ? `the wallet has no identity ${o.as}` : 'give --as <identity> (the wallet has none or several)', ExitCode.Usage, 'USAGE');
      const id = w.identities[name];
      const cred = id.credentials.find((c) => !c.spentBy);
      if (!cred) throw new CliError(`identity ${name} has no unused credential (ask a guarantor to endorse you)`, ExitCode.Usage, 'NO_CREDENTIAL');
      const amount = uint(o.amount, '--amount');
      const durationS = uint(o.duration, '--duration');
      const g = globals();
      const [published, guarantor, pathInfo, utilityKey] = await Promise.all([
        evaluateJson(g, 'params', 'GetLendingParams'),
        evaluateJson(g, 'guarantor', 'GetGuarantor', cred.guarantor),
        evaluateJson(g, 'guarantor', 'GetCredentialPath', cred.guarantor, String(cred.leafIndex)),
        evaluateJson(g, 'guarantor', 'GetUtilityTraceKey'),
      ]);
      const required = minScore(published.params, amount, durationS);
      if (required === undefined) throw new CliError(`no tier of C(M, D) covers ${amount} Wh for ${durationS} s`, ExitCode.Refused, 'INVALID_ARGUMENT');
      const ctx: BorrowContext = {
        guarantor: cred.guarantor, guarantorId: cred.guarantorId, credential: pathInfo, W_b: published.params.W_b, W_g: published.params.W_g,
        guarantorScore: guarantor.score, pkGuarantor: guarantor.tracePublicKey, pkUtility: utilityKey.publicKey,
      };
      const recipient = o.recipient ? hexKey(o.recipient, '--recipient') : w.account.publicKey;
      const borrower = { identity: identityToField(name), identitySecret: BigInt(id.identitySecret) };
      let proved;
      try {
        proved = await proving(g, 'proving the borrow', () =>
          proveBorrowRequest(borrower, cred.score, ctx, { amount, durationS, minScore: o.minScore ? uint(o.minScore, '--min-score') : required, recipient, relayer: o.relayer ? hexKey(o.relayer, '--relayer') : recipient }),
        );
      } catch (err) {
        if ((err as { code?: string }).code === 'WITNESS_INVALID') throw new CliError(`no proof exists: ${(err as Error).message}`, ExitCode.Refused, 'WITNESS_INVALID');
        throw err;
      } finally {
        await releaseZk();
      }
      // The repay secret is saved before the request leaves this machine.
      w.loans.push({ loanId: proved.loanId, poolId, identity: name, guarantor: cred.guarantor, repaySecret: proved.repaySecret, amount, recipient, status: 'pending' });
      cred.spentBy = proved.loanId;
      saveLendWallet(f, w);
      const taken = (await submitJson(g, 'loan', 'Borrow', poolId, canonicalJson(proved.request)))[0];
      const loan = w.loans.find((l) => l.loanId === proved.loanId)!;
      Object.assign(loan, { status: 'open', repayDue: taken.repayDue, dueAt: taken.dueAt });
      saveLendWallet(f, w);
      out.result({ loanId: proved.loanId, poolId, amount, repayDue: taken.repayDue, dueAt: taken.dueAt, recipient }, () =>
        `borrowed ${amount} Wh from ${poolId} to ${recipient}\nloan ${proved.loanId}\nrepay ${taken.repayDue} Wh by ${new Date(taken.dueAt * 1000).toISOString()} (gridledger lend repay <loan>)`,
      );
    });

  cmd
    .command('repay <loanId>')
    .description('repay a loan of this wallet with its repay secret, paid from the wallet\'s account')
    .action(async (loanId: string) => {
      const f = file();
      const w = loadLendWallet(f);
      const loan = w.loans.find((l) => l.loanId === loanId);
      if (!loan) throw new CliError(`the wallet has no loan ${loanId}`, ExitCode.NotFound, 'NOT_FOUND');
      const body = { loanId, repaySecret: loan.repaySecret, payer: w.account.publicKey, nonce: await nextNonce(w.account.publicKey) };
      const req = signRequest('repay', body, w.account.privateKey);
      const receipt = await submitJson(globals(), 'loan', 'Repay', canonicalJson(req.body), req.signature);
      loan.status = 'repaid';
      saveLendWallet(f, w);
      out.result(receipt, () => `repaid ${receipt.repaidWh} Wh${receipt.onTime ? ' on time' : ' late'}; keep transaction ${receipt.txId} as the receipt for a new credential`);
    });

  cmd
    .command('show')
    .description('the wallet: account, identities, notes and loans (secrets only with --show-secrets)')
    .option('--show-secrets', 'also print notes, identity secrets and repay secrets')
    .action((o: { showSecrets?: boolean }) => {
      const w = loadLendWallet(file());
      const view = {
        account: w.account.publicKey,
        identities: Object.entries(w.identities).map(([identity, v]) => ({ ...identityRequest(identity, v.identitySecret), credentials: v.credentials, ...(o.showSecrets ? { identitySecret: v.identitySecret } : {}) })),
        notes: w.notes.map((n) => ({ poolId: n.poolId, commitment: n.commitment, status: n.status, ...(o.showSecrets ? { note: n.note } : {}) })),
        loans: w.loans.map(({ repaySecret, ...l }) => ({ ...l, ...(o.showSecrets ? { repaySecret } : {}) })),
        ...(o.showSecrets ? { accountSecret: w.account.privateKey } : {}),
      };
      out.result(view, () =>
        [
          `account ${view.account}`,
          '',
          table(['IDENTITY', 'COMMITMENT', 'CREDENTIALS'], view.identities.map((i) => [i.identity, `${i.identityCommitment.slice(0, 12)}…`, i.credentials.length])),
          '',
          table(['POOL', 'NOTE COMMITMENT', 'STATUS', ...(o.showSecrets ? ['NOTE'] : [])], view.notes.map((n) => [n.poolId, `${n.commitment.slice(0, 12)}…`, n.status, ...(o.showSecrets ? [(n as { note?: string }).note] : [])])),
          '',
          table(['LOAN', 'POOL', 'AMOUNT', 'REPAY DUE', 'STATUS'], view.loans.map((l) => [`${l.loanId.slice(0, 12)}…`, l.poolId, l.amount, l.repayDue, l.status])),
        ].join('\n'),
      );
    });

  return cmd;
}
