import { classifyChaincodeMessage, chaincodeMessage, endorsersDisagree } from './ledger';

describe('classifyChaincodeMessage', () => {
  it('keeps the chaincode\'s own refusals as client errors', () => {
    expect(classifyChaincodeMessage(chaincodeMessage('chaincode response 500, INVALID_ARGUMENT: amount must be positive'))).toBe('invalid');
    expect(classifyChaincodeMessage(chaincodeMessage('chaincode response 500, ACCESS_DENIED: reserved to UtilityMSP'))).toBe('forbidden');
    expect(classifyChaincodeMessage('Expected 2 parameters, but 1 have been supplied')).toBe('rejected');
  });
  it('treats a chaincode the peer cannot reach or launch as unavailable (retry), not as a refusal', () => {
    for (const m of [
      'error in simulation: failed to execute transaction d57f: could not launch chaincode gridledger_1.0:abc: connection error: desc = "transport: error while dialing: dial tcp 127.0.0.1:9999: connect: connection refused"',
      'failed to execute transaction 101a: timeout expired while executing transaction',
      'no combination of peers can be derived which satisfy the endorsement policy',
    ]) {
      expect(classifyChaincodeMessage(chaincodeMessage(m))).toBe('unavailable');
    }
  });
});

describe('endorsersDisagree', () => {
  const behind = 'chaincode response 500, REPLAY: transfer: nonce 1503 is not the next for this key (expected 1502)';
  it('sees a peer behind the org\'s own: own peer endorsed, another refused on ledger state', () => {
    expect(endorsersDisagree('10 ABORTED: failed to collect enough transaction endorsements, see attached details for more info', [behind])).toBe(true);
    expect(endorsersDisagree('10 ABORTED: failed to collect enough transaction endorsements', ['chaincode response 500, NOT_FOUND: meter m1 is not registered'])).toBe(true);
  });
  it('does not retry a refusal the org\'s own peer made, or one that does not depend on state', () => {
    expect(endorsersDisagree('10 ABORTED: failed to endorse transaction, see attached details for more info', [behind])).toBe(false);
    expect(endorsersDisagree('10 ABORTED: failed to collect enough transaction endorsements', ['chaincode response 500, INVALID_SIGNATURE: transfer: the signature does not match'])).toBe(false);
    expect(endorsersDisagree('10 ABORTED: failed to collect enough transaction endorsements', ['connection refused'])).toBe(false);
  });
});
