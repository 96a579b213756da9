import { DEFAULT_LENDING_PARAMS, Orgs } from '@gridledger/core';
import { chaincodeRefusal } from '@gridledger/core/dist/fabric';
import { Connections, describeOnNetwork, ORG_NAMES, OrgName, utf8 } from './support/network';
import { endorsingMsps, validationCodeName } from './support/endorsements';

jest.setTimeout(120_000);

describeOnNetwork('the consortium network', () => {
  const conns = new Connections();
  afterAll(() => conns.closeAll());

  it.each(ORG_NAMES)('commits a transaction submitted by %s', async (org) => {
    const contract = conns.contract(org, 'client', 'baseline');
    const key = `from-${org}-${process.pid}`;
    const proposal = contract.newProposal('Write', { arguments: [key, `written by ${org}`] });
    const tx = await proposal.endorse();
    const commit = await tx.submit();
    const status = await commit.getStatus();
    expect(validationCodeName(status.code)).toBe('VALID');
    expect(status.successful).toBe(true);
  });

  it('a transaction is endorsed by a majority of the orgs, and two orgs alone are not enough', async () => {
    const network = conns.network('operator', 'client');
    const contract = network.getContract('gridledger', 'baseline');
    const committed = await (await contract.newProposal('Write', { arguments: [`majority-${process.pid}`, 'x'] }).endorse()).submit();
    expect((await committed.getStatus()).successful).toBe(true);
    const msps = await endorsingMsps(network, committed.getTransactionId());
    expect(msps.length).toBeGreaterThanOrEqual(3);
    expect(msps.every((m) => (Object.values(Orgs) as string[]).includes(m))).toBe(true);

    // Forcing endorsement by two orgs out of four: the orderer accepts it, the peers invalidate it.
    const minority = await contract
      .newProposal('Write', { arguments: [`minority-${process.pid}`, 'x'], endorsingOrganizations: [Orgs.Operator, Orgs.Utility] })
      .endorse();
    const status = await (await minority.submit()).getStatus();
    expect(status.successful).toBe(false);
    expect(validationCodeName(status.code)).toBe('ENDORSEMENT_POLICY_FAILURE');
  });

  describe('an org-only operation: publishing the lending parameters', () => {
    const others: OrgName[] = ['guarantora', 'guarantorb', 'operator'];

    it.each(others)('is refused to %s', async (org) => {
      const contract = conns.contract(org, 'admin', 'params');
      const before = await contract.evaluateTransaction('GetLendingParamsHistory');
      const attempt = contract.submitTransaction('SetLendingParams', JSON.stringify(DEFAULT_LENDING_PARAMS));
      await expect(attempt).rejects.toThrow();
      const refusal = chaincodeRefusal(await attempt.catch((e) => e));
      expect(refusal?.code).toBe('ACCESS_DENIED');
      expect(refusal?.message).toMatch(/reserved to UtilityMSP/);
      expect(utf8(await contract.evaluateTransaction('GetLendingParamsHistory'))).toBe(utf8(before));
    });

    it('is accepted from the Utility, and every org reads the same result and history', async () => {
      const utility = conns.contract('utility', 'admin', 'params');
      const params = { ...DEFAULT_LENDING_PARAMS, interestBps: 400 + (process.pid % 100) };
      const published = JSON.parse(utf8(await utility.submitTransaction('SetLendingParams', JSON.stringify(params))));
      expect(published.params).toEqual(params);
      expect(published.updatedBy).toBe(Orgs.Utility);
      for (const org of ORG_NAMES) {
        const read = JSON.parse(utf8(await conns.contract(org, 'client', 'params').evaluateTransaction('GetLendingParams')));
        expect(read.version).toBe(published.version);
        expect(read.params.interestBps).toBe(params.interestBps);
        const history = JSON.parse(utf8(await conns.contract(org, 'client', 'params').evaluateTransaction('GetLendingParamsHistory')));
        expect(history[history.length - 1].txId).toBe(published.txId);
      }
    });

    it('refuses invalid parameters with a clear message and writes nothing', async () => {
      const utility = conns.contract('utility', 'admin', 'params');
      const before = utf8(await utility.evaluateTransaction('GetLendingParams'));
      const attempt = utility.submitTransaction('SetLendingParams', JSON.stringify({ ...DEFAULT_LENDING_PARAMS, W_b: 70 }));
      const refusal = chaincodeRefusal(await attempt.catch((e) => e));
      expect(refusal).toEqual({ code: 'INVALID_ARGUMENT', message: 'W_b: W_b + W_g must be 100, got 110' });
      const notJson = chaincodeRefusal(await utility.submitTransaction('SetLendingParams', '{oops').catch((e) => e));
      expect(notJson?.code).toBe('INVALID_ARGUMENT');
      expect(utf8(await utility.evaluateTransaction('GetLendingParams'))).toBe(before);
    });
  });
});
