import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describeOnNetwork, ROOT } from './support/network';

jest.setTimeout(120_000);

const script = path.join(ROOT, 'network', 'network.sh');
const network = (args: string[], env: NodeJS.ProcessEnv = {}) => spawnSync('bash', [script, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });

function listening(port: number): boolean {
  return spawnSync('bash', ['-c', `ss -Hltn 'sport = :${port}' | grep -q .`]).status === 0;
}

describeOnNetwork('network lifecycle', () => {
  it('up on a running network says so and changes nothing', () => {
    const before = network(['status', '--json']).stdout;
    const r = network(['up']);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/already running/);
    expect(network(['status', '--json']).stdout).toBe(before);
  });

  it('a second network on taken ports fails with a message naming the port', () => {
    const r = network(['up'], { GRIDLEDGER_RUN_DIR: mkdtempSync(path.join(tmpdir(), 'gl-run-')) });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/port 7050 \(for orderer0\) is already in use/);
  });

  it('down leaves no process and no port behind, down again is safe, and up brings it all back', () => {
    const pids = JSON.parse(network(['status', '--json']).stdout).processes.map((p: { pid: number }) => p.pid);
    expect(network(['down']).status).toBe(0);
    for (const pid of pids) expect(spawnSync('kill', ['-0', String(pid)]).status).not.toBe(0);
    for (const port of [7050, 7150, 7250, 7051, 8051, 9051, 10051, 9999, 10000, 10001, 10002]) expect(listening(port)).toBe(false);
    const again = network(['down']);
    expect(again.status).toBe(0);
    expect(again.stderr).toMatch(/no network was running/);
    expect(network(['status']).status).toBe(3);
    const up = network(['up']);
    expect(up.status).toBe(0);
    expect(JSON.parse(network(['status', '--json']).stdout).processes.filter((p: { health: string }) => p.health === '200')).toHaveLength(7);
  });
});
