import { Command } from 'commander';
import { canonicalJson } from '@gridledger/core';
import { GlobalOptions } from '../context';
import { keyValues, table } from '../output/table';
import { Printer } from '../output/printer';
import { evaluateJson, submitJson, uint, when } from './lending-common';

const iso = (s?: number) => (s ? new Date(s * 1000).toISOString() : undefined);

/** `gridledger pool ...`: crowdfunding pools. */
export function poolCommand(globals: () => GlobalOptions, out: Printer): Command {
  const cmd = new Command('pool').description('crowdfunding pools: create (Utility), seal, close, show, list');

  cmd
    .command('create <poolId>')
    .description('open a pool for deposits (Utility admin)')
    .requiredOption('--denomination <wh>', 'the fixed deposit, in Wh (one of the published denominations)')
    .requiredOption('--target <notes>', 'notes needed by the deadline for the pool to open')
    .requiredOption('--deadline <t>', 'end of deposits: seconds since the epoch, or +N seconds from now')
    .requiredOption('--maturity <t>', 'loans must be due by then; seconds since the epoch, or +N')
    .addHelpText('after', '\nExample:\n  $ gridledger --org utility pool create p-2025-06 --denomination 1000 --target 20 --deadline +86400 --maturity +2592000')
    .action(async (poolId: string, o: { denomination: string; target: string; deadline: string; maturity: string }) => {
      const pool = { poolId, denominationWh: uint(o.denomination, '--denomination'), targetNotes: uint(o.target, '--target'), deadline: when(o.deadline, '--deadline'), maturity: when(o.maturity, '--maturity') };
      await submitJson(globals(), 'pool', 'CreatePool', canonicalJson(pool));
      out.result(pool, () => `pool ${poolId} open for deposits of ${pool.denominationWh} Wh until ${iso(pool.deadline)} (target ${pool.targetNotes} notes)`);
    });

  for (const [name, fn, what] of [['seal', 'SealPool', 'after the deadline: open for lending, or refunds if the target was missed'], ['close', 'ClosePool', 'after maturity, with every loan settled: fix each note\'s payout']] as const) {
    cmd
      .command(`${name} <poolId>`)
      .description(`${what} (anyone)`)
      .action(async (poolId: string) => {
        const p = await submitJson(globals(), 'pool', fn, poolId);
        out.result(p, () => `pool ${poolId} is ${p.status}: ${p.noteCount} notes, balance ${p.balance} Wh${p.payoutPerNote !== undefined ? `, ${p.payoutPerNote} Wh per note` : ''}`);
      });
  }

  cmd
    .command('show <poolId>')
    .description('one pool')
    .action(async (poolId: string) => {
      const p = await evaluateJson(globals(), 'pool', 'GetPool', poolId);
      out.result(p, () =>
        keyValues([
          ['pool', p.poolId], ['status', p.status], ['denomination (Wh)', p.denominationWh], ['deposits', `${p.deposits} / target ${p.targetNotes}`],
          ['deadline', iso(p.deadline)], ['maturity', iso(p.maturity)], ['balance (Wh)', p.balance], ['lent (Wh)', p.lentWh], ['repaid (Wh)', p.repaidWh],
          ['fines (Wh)', p.finesWh], ['outstanding loans', p.outstandingLoans], ['payout per note (Wh)', p.payoutPerNote], ['root', p.root],
        ]),
      );
    });

  cmd
    .command('list')
    .description('every pool')
    .action(async () => {
      const ps = await evaluateJson(globals(), 'pool', 'ListPools');
      out.result(ps, () => table(['POOL', 'STATUS', 'DENOM (Wh)', 'NOTES', 'BALANCE', 'DEADLINE', 'MATURITY'], ps.map((p: any) => [p.poolId, p.status, p.denominationWh, p.noteCount, p.balance, iso(p.deadline), iso(p.maturity)])));
    });

  return cmd;
}
