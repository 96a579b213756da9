import { Command } from 'commander';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { GlobalOptions, REPO_ROOT } from '../context';
import { CliError, ExitCode } from '../exit-codes';
import { table } from '../output/table';
import { Printer } from '../output/printer';

const SCRIPT = path.join(REPO_ROOT, 'network', 'network.sh');

interface StatusReport {
  running: boolean;
  processes: Array<{ name: string; kind: string; pid: number | null; address: string; health: string }>;
}

/** `gridledger network ...`: the local network's lifecycle, through network/network.sh. */
export function networkCommand(globals: () => GlobalOptions, out: Printer): Command {
  const cmd = new Command('network').description('start, stop and inspect the local Fabric network');

  cmd
    .command('status')
    .description('every process of the network with its PID and health')
    .addHelpText('after', '\nExamples:\n  $ gridledger network status\n  $ gridledger network status --json')
    .action(() => {
      const r = spawnSync('bash', [SCRIPT, 'status', '--json'], { encoding: 'utf8' });
      if (r.error) throw new CliError(`cannot run ${SCRIPT}: ${r.error.message}`, ExitCode.Failure);
      const report = JSON.parse(r.stdout) as StatusReport;
      out.result(report, () =>
        report.processes.length === 0 ? 'network: not running' : table(['NAME', 'KIND', 'PID', 'ADDRESS', 'HEALTH'], report.processes.map((p) => [p.name, p.kind, p.pid, p.address, p.health])),
      );
      if (!report.running) process.exitCode = ExitCode.Unreachable;
    });

  for (const [name, description] of [
    ['up', 'build what is missing and start the network with the chaincode deployed'],
    ['down', 'stop every process the network started and remove its run state'],
  ] as const) {
    cmd
      .command(name)
      .description(description)
      .action(() => {
        // The script prints its own progress on stderr; --json gets a summary on stdout.
        const r = spawnSync('bash', [SCRIPT, name], { stdio: ['ignore', 'inherit', 'inherit'] });
        if (r.status !== 0) throw new CliError(`network ${name} failed (exit ${r.status})`, ExitCode.Failure, 'NETWORK');
        if (globals().json) out.result({ ok: true, action: name }, () => '');
      });
  }
  return cmd;
}
