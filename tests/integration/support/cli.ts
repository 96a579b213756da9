import { spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { ROOT } from './network';

/** What a run of the built CLI gave: its exit code, its output, and stdout parsed when it is JSON (--json). */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  json: any;
}

const MAIN = path.join(ROOT, 'cli', 'dist', 'main.js');

function result(code: number | null, stdout: string, stderr: string): CliRun {
  let json: any;
  try {
    json = JSON.parse(stdout);
  } catch {
    json = undefined;
  }
  return { code, stdout, stderr, json };
}

/** Runs the built CLI as a user would. */
export function gridledger(...args: string[]): CliRun {
  const r = spawnSync('node', [MAIN, ...args], { encoding: 'utf8' });
  return result(r.status, r.stdout, r.stderr);
}

/** The same, without blocking the test's event loop (its timers and connections keep running). */
export function gridledgerAsync(...args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    const p = spawn('node', [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => resolve(result(code, stdout, stderr)));
  });
}
