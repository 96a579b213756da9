import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { resolveSettings, toCliError } from './context';
import { CliError, ExitCode } from './exit-codes';

describe('resolveSettings', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'gl-cli-'));
  const env = { GRIDLEDGER_CONFIG: path.join(dir, 'absent.json'), GRIDLEDGER_RUN_DIR: '/run' };

  it('defaults to the Utility admin and the profile the network writes', () => {
    expect(resolveSettings({}, env)).toEqual({ org: 'utility', identity: 'admin', profilePath: '/run/profiles/utility.json' });
  });
  it('takes flags over the config file over the environment', () => {
    const config = path.join(dir, 'cli.json');
    writeFileSync(config, JSON.stringify({ org: 'guarantora', identity: 'client' }));
    expect(resolveSettings({ config }, { ...env, GRIDLEDGER_ORG: 'operator' }).org).toBe('guarantora');
    expect(resolveSettings({ config, org: 'guarantorb' }, env)).toMatchObject({ org: 'guarantorb', identity: 'client' });
    expect(resolveSettings({}, { ...env, GRIDLEDGER_ORG: 'operator' }).org).toBe('operator');
  });
  it('refuses unknown orgs and identities with a usage error', () => {
    expect(() => resolveSettings({ org: 'bank' }, env)).toThrow(expect.objectContaining({ exitCode: ExitCode.Usage }));
    expect(() => resolveSettings({ identity: 'root' }, env)).toThrow(/admin or client/);
    expect(() => resolveSettings({ config: path.join(dir, 'missing.json') }, env)).toThrow(/does not exist/);
  });
});

describe('toCliError', () => {
  it('maps chaincode refusals, absences and unreachable peers to distinct exit codes', () => {
    expect(toCliError(new Error('endorse failed: ACCESS_DENIED: no')).exitCode).toBe(ExitCode.Refused);
    expect(toCliError({ message: 'x', details: [{ message: 'NOT_FOUND: none yet' }] }).exitCode).toBe(ExitCode.NotFound);
    expect(toCliError(Object.assign(new Error('14 UNAVAILABLE: connect failed'), { code: 14 })).exitCode).toBe(ExitCode.Unreachable);
    expect(toCliError(new Error('boom')).exitCode).toBe(ExitCode.Failure);
    const own = new CliError('bad', ExitCode.Usage);
    expect(toCliError(own)).toBe(own);
  });
});
