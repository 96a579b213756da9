/**
 * A committed transaction as the ledger holds it, decoded from its block (qscc GetBlockByTxID): block
 * number, time, validation code, the submitting org, the chaincode function, the endorsing orgs and
 * the chaincode event it emitted. Arguments are summarised by count and size only: they may carry
 * proofs and ciphertexts that nobody needs to read on a web page.
 */
import { common, msp, peer } from '@hyperledger/fabric-protos';

export interface LedgerTransactionView {
  txId: string;
  blockNumber: number;
  timestamp: string;
  validationCode: string;
  valid: boolean;
  creatorMsp: string;
  endorsers: string[];
  chaincode?: string;
  function?: string;
  argCount: number;
  argBytes: number;
  event?: { name: string; payload: unknown };
  transactionsInBlock: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

function codeName(code: number): string {
  const entry = Object.entries(peer.TxValidationCode).find(([, v]) => v === code);
  return entry ? entry[0] : String(code);
}

/** Finds `txId` in a serialized block and decodes it; undefined when the block does not hold it. */
export function decodeTransaction(blockBytes: Uint8Array, txId: string): LedgerTransactionView | undefined {
  const block = common.Block.deserializeBinary(blockBytes);
  const envelopes = block.getData()?.getDataList_asU8() ?? [];
  const filter = block.getMetadata()?.getMetadataList_asU8()[common.BlockMetadataIndex.TRANSACTIONS_FILTER];
  for (let i = 0; i < envelopes.length; i++) {
    const env = common.Envelope.deserializeBinary(envelopes[i]);
    const payload = common.Payload.deserializeBinary(env.getPayload_asU8());
    const header = payload.getHeader();
    if (!header) continue;
    const ch = common.ChannelHeader.deserializeBinary(header.getChannelHeader_asU8());
    if (ch.getTxId() !== txId) continue;
    const sig = common.SignatureHeader.deserializeBinary(header.getSignatureHeader_asU8());
    const creator = msp.SerializedIdentity.deserializeBinary(sig.getCreator_asU8());
    const ts = ch.getTimestamp();
    const code = filter && filter.length > i ? filter[i] : 0;
    const view: LedgerTransactionView = {
      txId,
      blockNumber: Number(block.getHeader()?.getNumber() ?? 0),
      timestamp: new Date(ts ? ts.getSeconds() * 1000 + Math.floor(ts.getNanos() / 1e6) : 0).toISOString(),
      validationCode: codeName(code),
      valid: code === 0,
      creatorMsp: creator.getMspid(),
      endorsers: [],
      argCount: 0,
      argBytes: 0,
      transactionsInBlock: envelopes.length,
    };
    if (ch.getType() !== common.HeaderType.ENDORSER_TRANSACTION) return view;
    const tx = peer.Transaction.deserializeBinary(payload.getData_asU8());
    const endorsers = new Set<string>();
    for (const action of tx.getActionsList()) {
      const ccPayload = peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8());
      const proposal = peer.ChaincodeProposalPayload.deserializeBinary(ccPayload.getChaincodeProposalPayload_asU8());
      const spec = peer.ChaincodeInvocationSpec.deserializeBinary(proposal.getInput_asU8()).getChaincodeSpec();
      const args = spec?.getInput()?.getArgsList_asU8() ?? [];
      view.chaincode = spec?.getChaincodeId()?.getName();
      if (args.length) view.function = utf8.decode(args[0]).slice(0, 128);
      view.argCount = Math.max(0, args.length - 1);
      view.argBytes = args.slice(1).reduce((n, a) => n + a.length, 0);
      const endorsed = ccPayload.getAction();
      for (const e of endorsed?.getEndorsementsList() ?? []) endorsers.add(msp.SerializedIdentity.deserializeBinary(e.getEndorser_asU8()).getMspid());
      if (endorsed) {
        const prp = peer.ProposalResponsePayload.deserializeBinary(endorsed.getProposalResponsePayload_asU8());
        const ccAction = peer.ChaincodeAction.deserializeBinary(prp.getExtension_asU8());
        const evBytes = ccAction.getEvents_asU8();
        if (evBytes.length) {
          const ev = peer.ChaincodeEvent.deserializeBinary(evBytes);
          if (ev.getEventName()) {
            const text = utf8.decode(ev.getPayload_asU8());
            let parsed: unknown = text;
            try {
              parsed = JSON.parse(text);
            } catch {
              // keep the text
            }
            view.event = { name: ev.getEventName(), payload: parsed };
          }
        }
      }
    }
    view.endorsers = [...endorsers].sort();
    return view;
  }
  return undefined;
}
