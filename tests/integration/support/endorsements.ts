import { common, msp, peer } from '@hyperledger/fabric-protos';
import { Network } from '@hyperledger/fabric-gateway';

/**
 * The MSPs whose peers endorsed a committed transaction, read back from the ledger through the
 * query system chaincode (so it is what was validated, not what the client believes it sent).
 */
export async function endorsingMsps(network: Network, txId: string): Promise<string[]> {
  const qscc = network.getContract('qscc');
  const bytes = await qscc.evaluateTransaction('GetTransactionByID', network.getName(), txId);
  const processed = peer.ProcessedTransaction.deserializeBinary(bytes);
  const envelope = processed.getTransactionenvelope();
  if (!envelope) throw new Error(`no envelope for ${txId}`);
  const payload = common.Payload.deserializeBinary(envelope.getPayload_asU8());
  const tx = peer.Transaction.deserializeBinary(payload.getData_asU8());
  const msps = new Set<string>();
  for (const action of tx.getActionsList()) {
    const ccPayload = peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8());
    for (const e of ccPayload.getAction()?.getEndorsementsList() ?? []) {
      msps.add(msp.SerializedIdentity.deserializeBinary(e.getEndorser_asU8()).getMspid());
    }
  }
  return [...msps].sort();
}

/** The validation code Fabric gave a committed transaction, e.g. VALID or ENDORSEMENT_POLICY_FAILURE. */
export function validationCodeName(code: number): string {
  const entry = Object.entries(peer.TxValidationCode).find(([, v]) => v === code);
  return entry ? entry[0] : String(code);
}
