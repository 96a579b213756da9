import { gridledger } from './support/cli';
import { describeOnNetwork } from './support/network';

jest.setTimeout(60_000);

describeOnNetwork('gridledger CLI on the network', () => {
  it('shows every network process healthy', () => {
    const r = gridledger('network', 'status', '--json');
    expect(r.code).toBe(0);
    expect(r.json.processes.filter((p: any) => p.health === '200')).toHaveLength(7);
    const servers = r.json.processes.filter((p: any) => p.kind === 'chaincode');
    expect(servers.map((p: any) => p.name).sort()).toEqual(['chaincode.guarantora', 'chaincode.guarantorb', 'chaincode.operator', 'chaincode.utility']);
    for (const p of servers) expect(p.health).toBe('running');
  });

  it('publishes parameters as the Utility and reads them as a guarantor, in JSON and as a table', () => {
    const set = gridledger('--org', 'utility', '--json', 'params', 'set', '--defaults');
    expect(set.code).toBe(0);
    expect(set.json.updatedBy).toBe('UtilityMSP');
    const get = gridledger('--org', 'guarantora', '--identity', 'client', '--json', 'params', 'get');
    expect(get.json.version).toBe(set.json.version);
    const human = gridledger('--org', 'guarantora', 'params', 'get');
    expect(human.stdout).toMatch(/W_b \/ W_g \(%\)\s+60 \/ 40/);
    expect(human.stdout).toContain(set.json.txId);
  });

  it('exits 3 with the chaincode message when another org tries to publish', () => {
    const r = gridledger('--org', 'operator', '--json', 'params', 'set', '--defaults');
    expect(r.code).toBe(3);
    expect(r.json.error.code).toBe('ACCESS_DENIED');
    expect(r.stderr).toMatch(/reserved to UtilityMSP; the caller is OperatorMSP/);
  });

  it('exits 2 on a usage error without touching the network', () => {
    expect(gridledger('params', 'set').code).toBe(2);
    expect(gridledger('params', 'frobnicate').code).toBe(2);
  });
});
