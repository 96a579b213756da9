#!/usr/bin/env node
/**
 * gridledger: the org admin CLI. Each org runs its duties with its own identity, chosen by --org
 * and --identity (or a config file), never by editing code.
 */
import { Command, CommanderError } from 'commander';
import { guarantorCommand } from './commands/guarantor';
import { kgcCommand } from './commands/kgc';
import { lendCommand } from './commands/lend';
import { loanCommand } from './commands/loan';
import { meterCommand } from './commands/meter';
import { marketCommand } from './commands/market';
import { networkCommand } from './commands/network';
import { paramsCommand } from './commands/params';
import { pileCommand } from './commands/pile';
import { poolCommand } from './commands/pool';
import { walletCommand } from './commands/wallet';
import { GlobalOptions } from './context';
import { CliError, ExitCode } from './exit-codes';
import { Printer } from './output/printer';

export function buildProgram(): Command {
  const program = new Command('gridledger');
  const globals = () => program.opts<GlobalOptions>();
  const out = new Printer(() => globals().json === true);
  program
    .description('GridLedger org admin CLI: energy lending and trading on Hyperledger Fabric')
    .version(require('../package.json').version as string)
    .option('--org <org>', 'act for this org: utility, guarantora, guarantorb or operator (env GRIDLEDGER_ORG)')
    .option('--identity <role>', 'the org identity to use: admin (org duties) or client', undefined)
    .option('--profile <path>', 'connection profile (default network/.run/profiles/<org>.json)')
    .option('--config <path>', 'config file with {org, identity, profile} (env GRIDLEDGER_CONFIG)')
    .option('--json', 'print machine-readable JSON on stdout')
    .showHelpAfterError()
    .exitOverride()
    .addHelpText(
      'after',
      `
Exit codes: 0 ok, 1 failure, 2 usage, 3 refused by the network, 4 network unreachable, 5 not found.

Examples:
  $ gridledger network status
  $ gridledger --org utility params set --defaults
  $ gridledger --org guarantora params get --json`,
    );
  program.addCommand(networkCommand(globals, out));
  program.addCommand(paramsCommand(globals, out));
  program.addCommand(kgcCommand(globals, out));
  program.addCommand(pileCommand(globals, out));
  program.addCommand(walletCommand(globals, out));
  program.addCommand(meterCommand(globals, out));
  program.addCommand(guarantorCommand(globals, out));
  program.addCommand(poolCommand(globals, out));
  program.addCommand(loanCommand(globals, out));
  program.addCommand(lendCommand(globals, out));
  program.addCommand(marketCommand(globals, out));
  // Commands built on their own do not inherit these; usage errors must never exit the process.
  const inherit = (cmd: Command) => cmd.commands.forEach((c) => inherit(c.exitOverride().showHelpAfterError()));
  inherit(program);
  return program;
}

/** Runs the CLI and returns its exit code (tests call this without spawning a process). */
export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.Ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    }
    const e = err instanceof CliError ? err : new CliError((err as Error)?.message ?? String(err), ExitCode.Failure);
    if (program.opts<GlobalOptions>().json) process.stdout.write(`${JSON.stringify({ error: { code: e.code, message: e.message } })}\n`);
    process.stderr.write(`gridledger: ${e.message}\n`);
    return e.exitCode;
  }
}

if (require.main === module) {
  runCli(process.argv.slice(2)).then((code) => process.exit(code));
}
