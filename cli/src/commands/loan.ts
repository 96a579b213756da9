import { Command } from 'commander';
import { canonicalJson } from '@gridledger/core';
import { GlobalOptions } from '../context';
import { keyValues, table } from '../output/table';
import { Printer } from '../output/printer';
import { evaluateJson, submitJson } from './lending-common';

const iso = (s?: number) => (s ? new Date(s * 1000).toISOString() : undefined);
const short = (id: string) => (id.length > 16 ? `${id.slice(0, 8)}…${id.slice(-6)}` : id);

/** `gridledger loan ...`: the public view of loans, the board and the blocklist. */
export function loanCommand(globals: () => GlobalOptions, out: Printer): Command {
  const cmd = new Command('loan').description('loans (anonymous until traced), default, the defaulters\' board and the blocklist');

  cmd
    .command('list')
    .description('loans, optionally of one pool, guarantor or status')
    .option('--pool <poolId>')
    .option('--guarantor <msp>')
    .option('--status <status>', 'open, repaid, defaulted or traced')
    .action(async (o: { pool?: string; guarantor?: string; status?: string }) => {
      const filter = { ...(o.pool ? { poolId: o.pool } : {}), ...(o.guarantor ? { guarantor: o.guarantor } : {}), ...(o.status ? { status: o.status } : {}) };
      const loans = await evaluateJson(globals(), 'loan', 'ListLoans', canonicalJson(filter));
      out.result(loans, () => table(['LOAN', 'POOL', 'GUARANTOR', 'AMOUNT (Wh)', 'DUE', 'REPAY (Wh)', 'STATUS'], loans.map((l: any) => [short(l.loanId), l.poolId, l.guarantor, l.amount, iso(l.dueAt), l.repayDue, l.status])));
    });

  cmd
    .command('show <loanId>')
    .description('one loan')
    .action(async (loanId: string) => {
      const l = await evaluateJson(globals(), 'loan', 'GetLoan', loanId);
      out.result(l, () =>
        keyValues([
          ['loan', l.loanId], ['pool', l.poolId], ['guarantor', l.guarantor], ['amount (Wh)', l.amount], ['borrowed', iso(l.borrowedAt)], ['due', iso(l.dueAt)],
          ['repay due (Wh)', l.repayDue], ['status', l.status], ['recipient', l.recipient], ['trace deadline', iso(l.traceDeadline)],
        ]),
      );
    });

  cmd
    .command('default <loanId>')
    .description('declare an unpaid loan in default after its due time (anyone)')
    .action(async (loanId: string) => {
      const l = await submitJson(globals(), 'loan', 'DeclareDefault', loanId);
      out.result(l, () => `loan ${short(l.loanId)} defaulted; ${l.guarantor} must trace it by ${iso(l.traceDeadline)}`);
    });

  cmd
    .command('board')
    .description('the public board of traced defaulters')
    .action(async () => {
      const b = await evaluateJson(globals(), 'loan', 'GetBoard');
      out.result(b, () => table(['IDENTITY', 'LOAN', 'GUARANTOR', 'AMOUNT', 'DEBT (Wh)', 'FINE (Wh)', 'TRACED'], b.map((e: any) => [e.identity, short(e.loanId), e.guarantor, e.amount, e.debtWh, `${e.fineCollectedWh}/${e.fineWh}`, iso(e.tracedAt)])));
    });

  cmd
    .command('blocklist')
    .description('blocklisted identities')
    .action(async () => {
      const b = await evaluateJson(globals(), 'loan', 'GetBlocklist');
      out.result(b, () => table(['IDENTITY', 'LOAN', 'SINCE'], b.map((e: any) => [e.identity, short(e.loanId), iso(e.since)])));
    });

  return cmd;
}
