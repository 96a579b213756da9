import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { DEFAULT_LENDING_PARAMS, validateLendingParams, ValidationError } from '@gridledger/core';
import { GlobalOptions, withContract } from '../context';
import { CliError, ExitCode } from '../exit-codes';
import { Spinner } from '../output/spinner';
import { keyValues, table } from '../output/table';
import { Printer } from '../output/printer';

/** `gridledger params ...`: the lending paper's published platform parameters. */
export function paramsCommand(globals: () => GlobalOptions, out: Printer): Command {
  const cmd = new Command('params').description('the lending platform parameters (W_b, W_g, C(M, D), E(D), fines, denominations)');

  cmd
    .command('get')
    .description('show the parameters in force')
    .addHelpText('after', '\nExamples:\n  $ gridledger params get\n  $ gridledger params get --json | jq .params.W_b')
    .action(async () => {
      const published = await withContract(globals(), 'params', async (c) => JSON.parse(Buffer.from(await c.evaluateTransaction('GetLendingParams')).toString()));
      const p = published.params;
      out.result(published, () =>
        [
          keyValues([
            ['version', published.version],
            ['updated by', `${published.updatedBy} at ${new Date(published.updatedAt * 1000).toISOString()}`],
            ['transaction', published.txId],
            ['W_b / W_g (%)', `${p.W_b} / ${p.W_g}`],
            ['E(D)', `borrow time + D + ${p.expiry.graceS} s`],
            ['interest', `${p.interestBps} bps`],
            ['late penalty', `${p.latePenaltyBps} bps`],
            ['default fine', `${p.defaultFineBps} bps`],
            ['trace window', `${p.traceWindowS} s (missed: +${p.missedTraceFineBps} bps)`],
            ['pool denominations', p.poolDenominationsWh.map((d: number) => `${d} Wh`).join(', ')],
          ]),
          '',
          'C(M, D): minimum credit score',
          table(['MAX AMOUNT (Wh)', 'MAX DURATION (s)', 'MIN SCORE'], p.minScoreTable.map((t: Record<string, number>) => [t.maxAmountWh, t.maxDurationS, t.minScore])),
        ].join('\n'),
      );
    });

  cmd
    .command('history')
    .description('every published version, oldest first (each org can audit it)')
    .action(async () => {
      const versions = await withContract(globals(), 'params', async (c) => JSON.parse(Buffer.from(await c.evaluateTransaction('GetLendingParamsHistory')).toString()));
      out.result(versions, () =>
        table(['VERSION', 'UPDATED AT', 'BY', 'W_b', 'W_g', 'TX'], versions.map((v: Record<string, any>) => [v.version, new Date(v.updatedAt * 1000).toISOString(), v.updatedBy, v.params.W_b, v.params.W_g, v.txId])),
      );
    });

  cmd
    .command('set')
    .description('publish new parameters (Utility admin only)')
    .option('-f, --file <path>', 'a JSON file with the full parameter set')
    .option('--defaults', 'publish the built-in defaults')
    .addHelpText('after', '\nExamples:\n  $ gridledger --org utility params set --defaults\n  $ gridledger --org utility params set --file params.json --json')
    .action(async (o: { file?: string; defaults?: boolean }) => {
      if (!o.file === !o.defaults) throw new CliError('give exactly one of --file <path> or --defaults', ExitCode.Usage, 'USAGE');
      let params: unknown = DEFAULT_LENDING_PARAMS;
      if (o.file) {
        try {
          params = JSON.parse(readFileSync(o.file, 'utf8'));
        } catch (err) {
          throw new CliError(`cannot read ${o.file}: ${(err as Error).message}`, ExitCode.Usage, 'BAD_INPUT');
        }
      }
      try {
        // Refuse locally what the chaincode would refuse, with the same message, before any endorsement.
        params = validateLendingParams(params);
      } catch (err) {
        if (err instanceof ValidationError) throw new CliError(`INVALID_ARGUMENT: ${err.message}`, ExitCode.Usage, 'INVALID_ARGUMENT');
        throw err;
      }
      const spinner = new Spinner('submitting and waiting for commit', !globals().json && process.stderr.isTTY === true);
      const published = await spinner.around(() =>
        withContract(globals(), 'params', async (c) => JSON.parse(Buffer.from(await c.submitTransaction('SetLendingParams', JSON.stringify(params))).toString())),
      );
      out.result(published, () => `published version ${published.version} in transaction ${published.txId}`);
    });

  return cmd;
}
