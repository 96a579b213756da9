import { Command } from 'commander';
import { createTraceShare, credentialLeaf, generateTraceKeyPair, guarantorIdForMsp, pointToJson, toBabyPoint, toField } from '@gridledger/core';
import { GlobalOptions, withContract } from '../context';
import { CliError, ExitCode } from '../exit-codes';
import { keyValues, table } from '../output/table';
import { Printer } from '../output/printer';
import { writeSecretFile } from '../wallet-store';
import { evaluateJson, hexKey, loadTraceKey, loadTracePublicKey, submitJson, uint } from './lending-common';

const utf8 = (b: Uint8Array) => Buffer.from(b).toString('utf8');

/** The verdict of a review: whether a guarantor should endorse this identity, and why. */
export function reviewVerdict(blocked: { blocked: boolean; entry: unknown }, boardEntries: Array<{ debtWh: number; loanId: string }>): { verdict: 'endorse' | 'refuse'; reasons: string[] } {
  const reasons: string[] = [];
  if (blocked.blocked) reasons.push(`blocklisted (loan ${(blocked.entry as { loanId?: string })?.loanId ?? '?'})`);
  for (const e of boardEntries) reasons.push(`on the defaulters' board: loan ${e.loanId}, debt ${e.debtWh} Wh`);
  return { verdict: reasons.length ? 'refuse' : 'endorse', reasons };
}

/** `gridledger guarantor ...`: guarantor registration (Utility) and a guarantor's own duties. */
export function guarantorCommand(globals: () => GlobalOptions, out: Printer): Command {
  const cmd = new Command('guarantor').description('guarantors: registration (Utility); tracing key, review, endorse, revoke and trace (guarantor admin)');

  cmd
    .command('keygen')
    .description('make this org\'s tracing key pair into a keystore file (mode 600); prints only the public key')
    .requiredOption('--keystore <file>', 'where to keep the key (refuses to overwrite)')
    .addHelpText('after', '\nExample:\n  $ gridledger --org guarantora guarantor keygen --keystore ~/.config/gridledger/guarantora-trace.json')
    .action((o: { keystore: string }) => {
      const kp = generateTraceKeyPair();
      const publicKey = pointToJson(kp.publicKey);
      writeSecretFile(o.keystore, { kind: 'gridledger-trace-key', secretKey: kp.secretKey.toString(), publicKey });
      out.result({ keystore: o.keystore, publicKey }, () => `tracing key in ${o.keystore} (mode 600)\npublic key ${JSON.stringify(publicKey)}`);
    });

  cmd
    .command('register')
    .description('register a guarantor org with its score C_g, tracing public key and fine account (Utility admin)')
    .requiredOption('--msp <msp>', 'GuarantorAMSP or GuarantorBMSP')
    .requiredOption('--name <name>', 'the corporation\'s name')
    .requiredOption('--score <n>', 'initial credit score C_g')
    .requiredOption('--trace-key <file>', 'the guarantor\'s tracing public key (its keystore\'s public part, or {publicKey})')
    .requiredOption('--account <hex>', 'energy account fines are taken from')
    .action(async (o: { msp: string; name: string; score: string; traceKey: string; account: string }) => {
      const pk = loadTracePublicKey(o.traceKey);
      await submitJson(globals(), 'guarantor', 'RegisterGuarantor', o.msp, o.name, String(uint(o.score, '--score')), JSON.stringify(pk), hexKey(o.account, '--account'));
      out.result({ msp: o.msp, score: Number(o.score), tracePublicKey: pk }, () => `${o.msp} registered with C_g ${o.score}`);
    });

  cmd
    .command('set-utility-key')
    .description('publish the Utility\'s half of the joint tracing key (Utility admin)')
    .requiredOption('--keystore <file>', 'the Utility\'s tracing keystore (from guarantor keygen)')
    .action(async (o: { keystore: string }) => {
      const pk = pointToJson(loadTraceKey(o.keystore).publicKey);
      await submitJson(globals(), 'guarantor', 'SetUtilityTraceKey', JSON.stringify(pk));
      out.result({ publicKey: pk }, () => `Utility tracing key published: ${JSON.stringify(pk)}`);
    });

  cmd
    .command('list')
    .description('registered guarantors and their current C_g')
    .action(async () => {
      const gs = await evaluateJson(globals(), 'guarantor', 'ListGuarantors');
      out.result(gs, () => table(['MSP', 'ID', 'NAME', 'C_g', 'ACCOUNT'], gs.map((g: any) => [g.msp, g.guarantorId, g.name, g.score, g.account])));
    });

  cmd
    .command('show <msp>')
    .description('one guarantor: C_g, registry size and root, score history')
    .action(async (msp: string) => {
      const g = await evaluateJson(globals(), 'guarantor', 'GetGuarantor', msp);
      out.result(g, () =>
        [
          keyValues([['msp', g.msp], ['name', g.name], ['C_g', g.score], ['credentials issued', g.registry?.nextIndex], ['revoked', g.registry?.revoked], ['registry root', g.registry?.root]]),
          ...(g.scoreHistory?.length ? ['', table(['AT', 'DELTA', 'REASON'], g.scoreHistory.map((h: any) => [new Date(h.at * 1000).toISOString(), h.delta, h.reason]))] : []),
        ].join('\n'),
      );
    });

  cmd
    .command('review <identity>')
    .description('check an applicant before endorsing: the blocklist and the defaulters\' board; prints a verdict')
    .addHelpText('after', '\nExample:\n  $ gridledger --org guarantora guarantor review user:alice')
    .action(async (identity: string) => {
      const [blocked, board] = await Promise.all([evaluateJson(globals(), 'loan', 'IsBlocked', identity), evaluateJson(globals(), 'loan', 'GetBoard')]);
      const mine = (board as Array<{ identity: string; debtWh: number; loanId: string }>).filter((e) => e.identity === identity);
      const v = reviewVerdict(blocked, mine);
      out.result({ identity, blocked: blocked.blocked, board: mine, ...v }, () =>
        [`${identity}: ${v.verdict.toUpperCase()}`, ...(v.reasons.length ? v.reasons.map((r) => `  - ${r}`) : ['  no default on record, not blocklisted'])].join('\n'),
      );
    });

  cmd
    .command('endorse')
    .description('issue a credential to a reviewed borrower: a leaf Poseidon(idCommitment, C_b, guarantorId) in this org\'s registry; refuses blocklisted identities')
    .requiredOption('--borrower <id>', 'the borrower\'s identity (checked against the blocklist)')
    .requiredOption('--commitment <c>', 'the borrower\'s identity commitment (from `gridledger lend identity`)')
    .requiredOption('--score <n>', 'the credit score C_b granted')
    .addHelpText('after', '\nExample:\n  $ gridledger --org guarantora guarantor endorse --borrower user:alice --commitment 1234... --score 700')
    .action(async (o: { borrower: string; commitment: string; score: string }) => {
      const score = uint(o.score, '--score');
      let commitment: bigint;
      try {
        commitment = toField(o.commitment, '--commitment');
      } catch (err) {
        throw new CliError((err as Error).message, ExitCode.Usage, 'USAGE');
      }
      const blocked = await evaluateJson(globals(), 'loan', 'IsBlocked', o.borrower);
      if (blocked.blocked) throw new CliError(`BLOCKED: ${o.borrower} is on the blocklist (loan ${blocked.entry?.loanId}); no credential issued`, ExitCode.Refused, 'BLOCKED');
      const issued = await withContract(globals(), 'guarantor', async (c, profile) => {
        let gid: number;
        try {
          gid = guarantorIdForMsp(profile.mspId);
        } catch {
          throw new CliError(`${profile.mspId} is not a guarantor org; endorse with --org guarantora or guarantorb`, ExitCode.Usage, 'NOT_GUARANTOR');
        }
        const leaf = credentialLeaf(commitment, score, gid).toString();
        return JSON.parse(utf8(await c.submitTransaction('IssueCredential', leaf)));
      });
      out.result({ identity: o.borrower, score, ...issued }, () => `credential issued to ${o.borrower} (C_b ${score}): ${issued.guarantor} leaf ${issued.leafIndex}\ngive the borrower: --guarantor ${issued.guarantor} --index ${issued.leafIndex} --score ${score}`);
    });

  cmd
    .command('revoke <leafIndex>')
    .description('revoke a credential of this org\'s registry (proofs against older roots stop at once)')
    .action(async (leafIndex: string) => {
      const r = await submitJson(globals(), 'guarantor', 'RevokeCredential', String(uint(leafIndex, 'leafIndex')));
      out.result(r, () => `leaf ${r.leafIndex} of ${r.guarantor} revoked; new root ${r.root}`);
    });

  cmd
    .command('trace <loanId>')
    .description('publish this org\'s decryption share of a defaulted loan; with --complete, name the identity both shares decrypt to')
    .option('--keystore <file>', 'this org\'s tracing keystore (needed to publish the share)')
    .option('--complete', 'complete the trace (the loan\'s guarantor, after the Utility\'s share)')
    .option('--defaulter <id>', 'with --complete: the defaulter\'s identity')
    .option('--index <n>', 'with --complete: the defaulter\'s credential leaf index (it is revoked)')
    .addHelpText('after', '\nExamples:\n  $ gridledger --org guarantorb guarantor trace 1234... --keystore gb-trace.json\n  $ gridledger --org guarantorb guarantor trace 1234... --complete --defaulter user:bob --index 3')
    .action(async (loanId: string, o: { keystore?: string; complete?: boolean; defaulter?: string; index?: string }) => {
      if (!o.keystore && !o.complete) throw new CliError('give --keystore to publish a share, and/or --complete --defaulter --index', ExitCode.Usage, 'USAGE');
      if (o.complete && (!o.defaulter || o.index === undefined)) throw new CliError('--complete needs --defaulter and --index', ExitCode.Usage, 'USAGE');
      const result: Record<string, unknown> = { loanId };
      if (o.keystore) {
        const key = loadTraceKey(o.keystore);
        const loan = await evaluateJson(globals(), 'loan', 'GetLoan', loanId);
        const share = createTraceShare(loan.loanId, key.secretKey, { c1: toBabyPoint(loan.ciphertext.c1, 'c1'), c2: toBabyPoint(loan.ciphertext.c2, 'c2') });
        await submitJson(globals(), 'loan', 'PublishTraceShare', loan.loanId, JSON.stringify(share));
        result.sharePublished = true;
      }
      if (o.complete) result.entry = await submitJson(globals(), 'loan', 'CompleteTrace', loanId, o.defaulter!, String(uint(o.index!, '--index')));
      out.result(result, () =>
        [result.sharePublished ? `decryption share published for loan ${loanId}` : '', result.entry ? `traced: ${o.defaulter} published on the board and blocklisted (fine ${(result.entry as any).fineWh} Wh)` : ''].filter(Boolean).join('\n'),
      );
    });

  return cmd;
}
