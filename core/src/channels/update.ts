import { check } from './errors';
import { parseAmount, parsePositive } from './amount';
import { addHtlc, failHtlc, settleHtlc, DEFAULT_HTLC_POLICY, type HtlcPolicy } from './htlc';
import { buildState, parseState, type ChannelState, type Htlc, type Side } from './state';

/**
 * One off-chain update, as carried on the wire next to the proposed state. The receiver recomputes
 * the state from the op, so it countersigns only transitions it understands.
 */
export type UpdateOp =
  | { kind: 'pay'; from: Side; amount: string }
  | { kind: 'add'; htlc: Htlc }
  | { kind: 'settle'; id: string; preimage: string }
  | { kind: 'fail'; id: string }
  /** Cooperative close: freeze the current balances as the final state. */
  | { kind: 'close' };

/** Next state of a direct payment of `amount` from `from` to the other side. */
export function pay(prev: ChannelState, from: Side, amount: string): ChannelState {
  const p = parseState(prev);
  const v = parsePositive(amount, 'payment');
  const bal = from === 'a' ? p.a : p.b;
  check(from === 'a' || from === 'b', 'BAD_STATE', 'from must be a or b');
  check(bal >= v, 'INSUFFICIENT_BALANCE', `${from} has ${bal}, payment needs ${v}`);
  return buildState(prev, from === 'a' ? p.a - v : p.a + v, from === 'b' ? p.b - v : p.b + v, prev.htlcs);
}

/** Next state of a cooperative close: same balances, `final: true`; refused while HTLCs are pending. */
export function finalize(prev: ChannelState): ChannelState {
  const p = parseState(prev);
  check(p.htlcs.length === 0, 'HTLCS_PENDING', 'settle or fail every HTLC before a cooperative close');
  return buildState(prev, p.a, p.b, [], true);
}

/** Apply an op to the latest co-signed state. Pure; throws ChannelError on any invalid transition. */
export function applyOp(prev: ChannelState, op: UpdateOp, now: number, policy: HtlcPolicy = DEFAULT_HTLC_POLICY): ChannelState {
  check(prev.final !== true, 'CHANNEL_FINAL', 'channel already has a final state');
  switch (op.kind) {
    case 'pay':
      return pay(prev, op.from, op.amount);
    case 'add':
      return addHtlc(prev, op.htlc, now, policy);
    case 'settle':
      return settleHtlc(prev, op.id, op.preimage);
    case 'fail':
      return failHtlc(prev, op.id);
    case 'close':
      return finalize(prev);
    default:
      check(false, 'BAD_STATE', `unknown op ${(op as { kind: unknown }).kind}`);
  }
}

/**
 * Who may propose what, so a party never countersigns its own loss:
 * pay and add only from the proposer's own balance; settle by anyone holding the preimage (it only
 * moves money to the receiver); fail by the receiver at any time (it gives up) or by the sender once
 * the lock has expired (the receiver could no longer claim on chain); close by either side.
 */
export function mayPropose(prev: ChannelState, op: UpdateOp, proposer: Side, now: number): void {
  switch (op.kind) {
    case 'pay':
      check(op.from === proposer, 'NOT_ALLOWED', 'a party can only pay from its own balance');
      parseAmount(op.amount);
      return;
    case 'add':
      check(op.htlc.from === proposer, 'NOT_ALLOWED', 'a party can only offer HTLCs from its own balance');
      return;
    case 'settle':
      return;
    case 'fail': {
      const h = prev.htlcs.find((x) => x.id === op.id);
      check(h, 'UNKNOWN_HTLC', `no pending htlc ${op.id}`);
      check(h.to === proposer || now >= h.timeLock, 'HTLC_NOT_EXPIRED', `the sender may fail htlc ${op.id} only from ${h.timeLock}`);
      return;
    }
    case 'close':
      return;
  }
}
