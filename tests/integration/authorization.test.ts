import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { chaincodeRefusal } from '@gridledger/core/dist/fabric';
import { Connections, describeOnNetwork, ORG_NAMES, OrgName, ROOT } from './support/network';

jest.setTimeout(300_000);

/**
 * Who may submit each chaincode transaction, by the submitting org:
 *   an org list   the chaincode refuses every other org with ACCESS_DENIED, before it reads the arguments;
 *   'anyone'      any org may relay it: the authority is an end user's signature or proof, or none is needed;
 *   'entity'      the allowed org depends on the record named (a loan's own guarantor), shown by the lending suite.
 */
type Policy = OrgName[] | 'anyone' | 'entity';
const POLICY: Record<string, Policy> = {
  'params:SetLendingParams': ['utility'],
  'accounts:RegisterMeter': ['utility'],
  'accounts:MintFromMeter': ['utility'],
  'accounts:IssuePay': ['utility'],
  'accounts:Transfer': 'anyone',
  'accounts:Redeem': 'anyone',
  'guarantor:SetUtilityTraceKey': ['utility'],
  'guarantor:RegisterGuarantor': ['utility'],
  'guarantor:IssueCredential': ['guarantora', 'guarantorb'],
  'guarantor:RevokeCredential': ['guarantora', 'guarantorb'],
  'pool:CreatePool': ['utility'],
  'pool:Deposit': 'anyone',
  'pool:DepositBatch': 'anyone',
  'pool:SealPool': 'anyone',
  'pool:ClosePool': 'anyone',
  'pool:Withdraw': 'anyone',
  'loan:Borrow': 'anyone',
  'loan:BorrowBatch': 'anyone',
  'loan:Repay': 'anyone',
  'loan:DeclareDefault': 'anyone',
  'loan:PublishTraceShare': 'entity',
  'loan:CompleteTrace': 'entity',
  'loan:PenalizeMissedTrace': 'anyone',
  'baseline:Write': 'anyone',
  'kgc:Setup': ['utility'],
  'kgc:SetTradingParams': ['utility'],
  'kgc:RegisterUser': ['utility'],
  'kgc:RegisterPile': ['operator'],
  'kgc:RetirePile': ['operator'],
  'kgc:RevokeIdentity': ['utility'],
  'channel:Open': 'anyone',
  'channel:Resize': 'anyone',
  'channel:Close': 'anyone',
  'channel:Counter': 'anyone',
  'channel:PostRevocations': 'anyone',
  'channel:RevealPreimage': 'anyone',
  'channel:Settle': 'anyone',
  'market:SetMarketParams': ['utility'],
  'market:OpenCycle': ['utility'],
  'market:CloseCycle': ['utility'],
  'market:ClearCycle': ['utility'],
  'market:SubmitOrder': 'anyone',
  'market:SubmitOrders': 'anyone',
  'market:CancelOrder': 'anyone',
  'market:InvoiceObligation': 'anyone',
  'market:AcknowledgePayment': 'anyone',
  'market:ProvePayment': 'anyone',
  'market:ReportUnpaid': 'anyone',
};

const MSP: Record<OrgName, string> = { utility: 'UtilityMSP', guarantora: 'GuarantorAMSP', guarantorb: 'GuarantorBMSP', operator: 'OperatorMSP' };

interface TxMeta {
  name: string;
  parameters?: unknown[];
  tag?: string[];
}

describeOnNetwork('authorization matrix of every chaincode transaction', () => {
  const conns = new Connections();
  afterAll(() => conns.closeAll());

  it('refuses every org-only transaction to every other org, and the table in docs/security.md matches', async () => {
    const meta = JSON.parse(Buffer.from(await conns.contract('utility', 'client').evaluateTransaction('org.hyperledger.fabric:GetMetadata')).toString());
    const submits: Array<{ id: string; contract: string; fn: string; arity: number }> = [];
    for (const [contract, c] of Object.entries<{ transactions: TxMeta[] }>(meta.contracts)) {
      if (contract.startsWith('org.hyperledger')) continue;
      for (const t of c.transactions) if (t.tag?.includes('SUBMIT') || t.tag?.includes('submitTx')) submits.push({ id: `${contract}:${t.name}`, contract, fn: t.name, arity: t.parameters?.length ?? 0 });
    }
    const undeclared = submits.filter((s) => !(s.id in POLICY)).map((s) => s.id);
    expect(undeclared).toEqual([]);

    const rows: string[] = [];
    const wrong: string[] = [];
    for (const s of submits) {
      const policy = POLICY[s.id];
      const cells: string[] = [];
      for (const org of ORG_NAMES) {
        // Dummy arguments: an org that is not allowed must be refused before they are even read.
        const args = Array.from({ length: s.arity }, (_, i) => (i === 0 ? 'authz-probe' : '{}'));
        let denied = false;
        try {
          await conns.contract(org, 'admin', s.contract).submitTransaction(s.fn, ...args);
        } catch (err) {
          denied = chaincodeRefusal(err)?.code === 'ACCESS_DENIED';
        }
        const allowed = policy === 'anyone' || policy === 'entity' || policy.includes(org);
        if (policy !== 'entity' && denied === allowed) wrong.push(`${s.id} for ${org}: ${denied ? 'denied' : 'not denied'}`);
        cells.push(policy === 'entity' ? 'own record' : allowed ? (policy === 'anyone' ? 'relay' : 'yes') : 'no');
      }
      rows.push(`| \`${s.id}\` | ${cells.join(' | ')} |`);
    }
    expect(wrong).toEqual([]);

    const table = [
      `| transaction | ${ORG_NAMES.map((o) => MSP[o]).join(' | ')} |`,
      `| --- | ${ORG_NAMES.map(() => '---').join(' | ')} |`,
      ...rows,
    ].join('\n');
    const docPath = path.join(ROOT, 'docs', 'security.md');
    const doc = readFileSync(docPath, 'utf8');
    const begin = '<!-- chaincode-matrix:begin -->';
    const end = '<!-- chaincode-matrix:end -->';
    const generated = `${doc.slice(0, doc.indexOf(begin) + begin.length)}\n${table}\n${doc.slice(doc.indexOf(end))}`;
    if (process.env.UPDATE_DOCS === '1') writeFileSync(docPath, generated);
    expect(readFileSync(docPath, 'utf8')).toBe(generated);
  });
});
