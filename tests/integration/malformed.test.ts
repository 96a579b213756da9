import { CHAINCODE_ERROR_CODES } from '@gridledger/core/dist/fabric';
import { Connections, describeOnNetwork, OrgName } from './support/network';

jest.setTimeout(600_000);

/**
 * Arguments no transaction may accept in any position: empty, broken JSON, a number beyond the
 * field, control characters, prototype tricks, wrong types and signs, oversized input.
 */
const BAD_VALUES = [
  '',
  '{oops',
  '1'.repeat(90),
  '\u0000\u202e💥',
  '{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}',
  JSON.stringify({ amount: -5, nonce: 1.5, poolId: '../../etc', unit: 'energy', to: 'zz', from: 'zz', proof: 'x' }),
  JSON.stringify({ a: 'x'.repeat(70_000) }),
];
/** Values that are garbage for some parameters but may be valid identifiers for others: filling only. */
const FILLERS = ['null', '[]', '{}', '-1', '1e400'];

/** Optional parameters, where an empty argument means "the default" (position by transaction). */
const OPTIONAL: Record<string, number[]> = { 'market:OpenCycle': [1] };

/** The org that may submit each transaction, so the call gets past the org check to the arguments. */
const SUBMITTER: Record<string, OrgName> = {
  'guarantor:IssueCredential': 'guarantora',
  'guarantor:RevokeCredential': 'guarantora',
  'kgc:RegisterPile': 'operator',
  'kgc:RetirePile': 'operator',
};

/** A deadline on a loaded machine is not an answer: ask again once. */
async function endorseWithRetry<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if ((err as { code?: number }).code !== 4) throw err;
    return call();
  }
}

describeOnNetwork('chaincode transactions with malformed arguments', () => {
  const conns = new Connections();
  afterAll(() => conns.closeAll());

  it('every submit transaction refuses every malformed argument with a clear error at endorsement, so nothing can be written', async () => {
    const utility = conns.contract('utility', 'client');
    const meta = JSON.parse(Buffer.from(await utility.evaluateTransaction('org.hyperledger.fabric:GetMetadata')).toString());
    const unclear: string[] = [];
    let calls = 0;
    for (const [contract, c] of Object.entries<{ transactions: Array<{ name: string; parameters?: unknown[]; tag?: string[] }> }>(meta.contracts)) {
      if (contract.startsWith('org.hyperledger') || contract === 'baseline') continue;
      for (const t of c.transactions.filter((x) => x.tag?.includes('SUBMIT') || x.tag?.includes('submitTx'))) {
        const arity = t.parameters?.length ?? 0;
        const org = SUBMITTER[`${contract}:${t.name}`] ?? 'utility';
        const target = conns.contract(org, 'admin', contract);
        const attempts: string[][] = [Array(arity + 1).fill('x')];
        for (const bad of BAD_VALUES) for (let i = 0; i < arity; i++) if (!(bad === '' && OPTIONAL[`${contract}:${t.name}`]?.includes(i))) attempts.push(Array.from({ length: arity }, (_, j) => (j === i ? bad : FILLERS[j % FILLERS.length])));
        for (const args of attempts) {
          calls++;
          try {
            // Endorse only: an accepted proposal would show up here, and nothing is sent to ordering.
            await endorseWithRetry(() => target.newProposal(t.name, { arguments: args }).endorse());
            unclear.push(`${contract}:${t.name}(${args.map((a) => a.slice(0, 20)).join(', ')}) was ACCEPTED`);
          } catch (err) {
            const text = [(err as Error).message, ...((err as { details?: Array<{ message: string }> }).details ?? []).map((d) => d.message)].join(' ');
            const coded = CHAINCODE_ERROR_CODES.some((code) => text.includes(`${code}: `));
            const framework = /Expected \d+ parameters|expected \d+ parameters/i.test(text);
            if (!coded && !framework) unclear.push(`${contract}:${t.name}: ${text.slice(0, 200)}`);
          }
        }
      }
    }
    expect(calls).toBeGreaterThan(200);
    expect(unclear).toEqual([]);
  });
});
