import { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { canonicalJson, channels, MARKET_ACTIONS, orderRefOf, signRequest, validateMarketParams, ValidationError } from '@gridledger/core';
import { GlobalOptions, withContract } from '../context';
import { CliError, ExitCode } from '../exit-codes';
import { keyValues, table } from '../output/table';
import { Printer } from '../output/printer';
import { DEFAULT_WALLET, loadWallet } from '../wallet-store';
import { positiveInt } from './kgc';
import { nextNonce } from './pile';

const utf8 = (b: Uint8Array) => Buffer.from(b).toString('utf8');
const iso = (s?: number) => (s === undefined ? '-' : new Date(s * 1000).toISOString());
const ID = /^[A-Za-z0-9._:-]{1,128}$/;

function id(v: string, what: string): string {
  if (!ID.test(v)) throw new CliError(`${what} must be 1-128 characters of [A-Za-z0-9._:-]`, ExitCode.Usage, 'USAGE');
  return v;
}

function side(v: string): 'ask' | 'bid' {
  if (v === 'ask' || v === 'sell') return 'ask';
  if (v === 'bid' || v === 'buy') return 'bid';
  throw new CliError('--side must be ask (sell) or bid (buy)', ExitCode.Usage, 'USAGE');
}

type Row = Record<string, any>;

/**
 * `gridledger market ...`: the trading-cycle double auction (trading paper). The Utility opens,
 * closes and clears cycles; users and piles submit and cancel orders signed with their wallet's
 * account key (relayed by --org/--identity); sellers invoice and acknowledge payments; anyone reads
 * books and results, proves a payment or reports an unpaid obligation.
 */
export function marketCommand(globals: () => GlobalOptions, out: Printer): Command {
  const cmd = new Command('market')
    .description('double-auction energy market: cycles, orders, books, results, settlement obligations')
    .option('--wallet <path>', 'wallet whose account key signs orders and settlement requests (default ~/.config/gridledger/wallet.json, env GRIDLEDGER_WALLET)');
  const walletFile = () => cmd.opts<{ wallet?: string }>().wallet ?? DEFAULT_WALLET();
  const call = <T = Row>(fn: string, submit: boolean, ...args: string[]) =>
    withContract(globals(), 'market', async (c) => JSON.parse(utf8(submit ? await c.submitTransaction(fn, ...args) : await c.evaluateTransaction(fn, ...args))) as T);

  /** Signs `body` (plus account and next nonce) with the wallet's account key: the two arguments of a signed transaction. */
  const signedArgs = async (action: string, body: Record<string, unknown>): Promise<[string, string]> => {
    const w = loadWallet(walletFile());
    const full = { ...body, account: w.account.publicKey, nonce: await nextNonce(globals(), w.account.publicKey) };
    const req = signRequest(action, full, w.account.privateKey);
    return [canonicalJson(req.body), req.signature];
  };

  // ------------------------------------------------------------------ parameters
  cmd
    .command('params')
    .description('show the market parameters, or set them (Utility admin) with all four options')
    .option('--cycle-length <s>', 'trading cycle length, seconds')
    .option('--settlement-window <s>', 'time from clearing to the payment deadline, seconds')
    .option('--page-size <n>', 'orders read per side per clearing transaction')
    .option('--max-trades <n>', 'trades per clearing transaction at most')
    .addHelpText('after', '\nExamples:\n  $ gridledger market params\n  $ gridledger --org utility market params --cycle-length 900 --settlement-window 3600 --page-size 200 --max-trades 200')
    .action(async (o: { cycleLength?: string; settlementWindow?: string; pageSize?: string; maxTrades?: string }) => {
      const given = [o.cycleLength, o.settlementWindow, o.pageSize, o.maxTrades].filter((x) => x !== undefined).length;
      if (given === 0) {
        const p = await call('GetMarketParams', false);
        out.result(p, () => keyValues([['cycle length', `${p.cycleLengthS} s`], ['settlement window', `${p.settlementWindowS} s`], ['clearing page', `${p.pageSize} orders per side`], ['trades per clearing tx', p.maxTradesPerTx]]));
        return;
      }
      if (given !== 4) throw new CliError('to set the parameters give all of --cycle-length, --settlement-window, --page-size, --max-trades', ExitCode.Usage, 'USAGE');
      let params;
      try {
        params = validateMarketParams({
          cycleLengthS: positiveInt(o.cycleLength!, '--cycle-length'),
          settlementWindowS: positiveInt(o.settlementWindow!, '--settlement-window'),
          pageSize: positiveInt(o.pageSize!, '--page-size'),
          maxTradesPerTx: positiveInt(o.maxTrades!, '--max-trades'),
        });
      } catch (err) {
        if (err instanceof ValidationError) throw new CliError(`INVALID_ARGUMENT: ${err.message}`, ExitCode.Usage, 'INVALID_ARGUMENT');
        throw err;
      }
      const published = await call('SetMarketParams', true, JSON.stringify(params));
      out.result(published, () => `market parameters version ${published.version} in ${published.txId}`);
    });

  // ------------------------------------------------------------------ cycles
  const cycle = cmd.command('cycle').description('trading cycles (open/close/clear: Utility admin)');
  cycle
    .command('open <cycleId>')
    .description('open a trading cycle; orders are accepted for the configured length (or --length)')
    .option('--length <s>', 'cycle length in seconds (default: the market parameter)')
    .addHelpText('after', '\nExample:\n  $ gridledger --org utility market cycle open 2026-05-01T10:00')
    .action(async (cycleId: string, o: { length?: string }) => {
      const c = await call('OpenCycle', true, id(cycleId, 'cycleId'), JSON.stringify(o.length ? { lengthS: positiveInt(o.length, '--length') } : {}));
      out.result(c, () => `cycle ${c.cycleId} open until ${iso(c.closesAt)}`);
    });
  cycle
    .command('close <cycleId>')
    .description('close the cycle to orders, then clear it page by page (unless --no-clear)')
    .option('--no-clear', 'only close; clear later with `market cycle clear`')
    .action(async (cycleId: string, o: { clear: boolean }) => {
      await call('CloseCycle', true, id(cycleId, 'cycleId'));
      if (!o.clear) {
        out.result({ cycleId, status: 'closed' }, () => `cycle ${cycleId} closed`);
        return;
      }
      const r = await clearAll(cycleId);
      out.result(r, () => `cycle ${cycleId} closed and cleared in ${r.clearingTxs} transaction(s): ${r.stats.trades} trades, ${r.stats.volume} Wh, ${r.stats.value} paid`);
    });
  const clearAll = async (cycleId: string) => {
    let r: Row;
    do r = await call('ClearCycle', true, cycleId);
    while (r.status !== 'done');
    return r;
  };
  cycle
    .command('clear <cycleId>')
    .description('run the clearing of a closed cycle to the end (one transaction per page)')
    .action(async (cycleId: string) => {
      const r = await clearAll(id(cycleId, 'cycleId'));
      out.result(r, () => `cycle ${cycleId} cleared: ${r.stats.trades} trades, ${r.stats.volume} Wh, ${r.stats.value} paid (${r.clearingTxs} transactions)`);
    });
  cycle
    .command('show <cycleId>')
    .description('a cycle: status, times and clearing statistics')
    .action(async (cycleId: string) => {
      const c = await call('GetCycle', false, id(cycleId, 'cycleId'));
      const s = c.stats;
      out.result(c, () =>
        keyValues([
          ['cycle', c.cycleId],
          ['status', c.status],
          ['opened', iso(c.openedAt)],
          ['orders until', iso(c.closesAt)],
          ['closed', iso(c.closedAt)],
          ['cleared', c.clearedAt ? `${iso(c.clearedAt)} in ${c.clearingTxs} transaction(s)` : '-'],
          ['trades / volume / value', s ? `${s.trades} / ${s.volume} Wh / ${s.value}` : '-'],
          ['price min / max / vwap', s && s.trades > 0 ? `${s.minPrice} / ${s.maxPrice} / ${s.vwap}` : '-'],
          ['best unmatched ask / bid', s ? `${s.bestUnmatchedAsk ?? '-'} / ${s.bestUnmatchedBid ?? '-'}` : '-'],
        ]),
      );
    });
  cycle
    .command('list')
    .description('every cycle')
    .action(async () => {
      const cs = await call<Row[]>('ListCycles', false);
      out.result(cs, () => table(['CYCLE', 'STATUS', 'OPENED', 'ORDERS UNTIL', 'TRADES'], cs.map((c) => [c.cycleId, c.status, iso(c.openedAt), iso(c.closesAt), c.stats?.trades ?? '-'])));
    });

  // ------------------------------------------------------------------ orders
  const order = cmd.command('order').description('orders signed by the wallet\'s account (a pile\'s orders: --org operator)');
  order
    .command('submit')
    .description('submit an ask (sell: S_EP, ES) or a bid (buy: P_EP, EP)')
    .requiredOption('--cycle <id>', 'trading cycle')
    .requiredOption('--side <ask|bid>', 'ask (sell) or bid (buy)')
    .requiredOption('--price <n>', 'payment units per Wh')
    .requiredOption('--quantity <wh>', 'energy, Wh')
    .option('--trader <id>', 'registered identity (default: the wallet\'s identity id)')
    .option('--carry-from <cycle/orderId>', 'carry the residual of an unmatched order of a cleared cycle over (re-priced)')
    .addHelpText('after', '\nExamples:\n  $ gridledger --org operator --identity client market --wallet alice.json order submit --cycle c1 --side bid --price 310 --quantity 5000\n  $ gridledger market order submit --cycle c2 --side ask --price 280 --quantity 1200 --carry-from c1/<orderId>')
    .action(async (o: { cycle: string; side: string; price: string; quantity: string; trader?: string; carryFrom?: string }) => {
      const w = loadWallet(walletFile());
      const trader = o.trader ?? w.identity?.key.id;
      if (!trader) throw new CliError('the wallet has no identity: pass --trader <registered id>', ExitCode.Usage, 'USAGE');
      const body: Record<string, unknown> = { cycleId: id(o.cycle, '--cycle'), side: side(o.side), price: positiveInt(o.price, '--price'), quantity: positiveInt(o.quantity, '--quantity'), trader };
      if (o.carryFrom) {
        const [fromCycle, fromOrder] = o.carryFrom.split('/');
        body.carryFrom = orderRefOf(await call('GetOrder', false, id(fromCycle ?? '', '--carry-from cycle'), id(fromOrder ?? '', '--carry-from order')));
      }
      const rec = await call('SubmitOrder', true, ...(await signedArgs(MARKET_ACTIONS.order, body)));
      out.result(rec, () => `order ${rec.orderId}: ${rec.side} ${rec.quantity} Wh at ${rec.price} in cycle ${rec.cycleId}`);
    });
  order
    .command('cancel')
    .description('cancel one of the wallet\'s orders while its cycle is open')
    .requiredOption('--cycle <id>', 'trading cycle')
    .requiredOption('--order <id>', 'order id')
    .action(async (o: { cycle: string; order: string }) => {
      // Orders are keyed by book position: look the order up for its full reference.
      const ref = orderRefOf(await call('GetOrder', false, id(o.cycle, '--cycle'), id(o.order, '--order')));
      const r = await call('CancelOrder', true, ...(await signedArgs(MARKET_ACTIONS.cancel, { ...ref })));
      out.result(r, () => `order ${o.order} cancelled`);
    });

  // ------------------------------------------------------------------ reads
  cmd
    .command('book <cycleId>')
    .description('the book in book order (asks low to high, bids high to low, ties by time) with what is left of each order')
    .option('--side <ask|bid>', 'one side only')
    .option('--limit <n>', 'orders per side', '50')
    .action(async (cycleId: string, o: { side?: string; limit: string }) => {
      const sides = o.side ? [side(o.side)] : (['ask', 'bid'] as const);
      const books: Record<string, Row[]> = {};
      for (const s of sides) books[s] = await call<Row[]>('GetBook', false, id(cycleId, 'cycleId'), s, String(positiveInt(o.limit, '--limit')));
      out.result(books, () =>
        sides
          .map((s) => `${s === 'ask' ? 'ASKS (sellers)' : 'BIDS (buyers)'}\n${table(['PRICE', 'LEFT (Wh)', 'QUANTITY', 'TRADER', 'SUBMITTED (µs)', 'ORDER'], books[s].map((r) => [r.price, r.remaining, r.quantity, r.trader, r.seq, `${r.orderId.slice(0, 16)}...`]))}`)
          .join('\n\n'),
      );
    });
  cmd
    .command('results <cycleId>')
    .description('the published result: each trade\'s selling, buying and transaction price, quantity (C_ES = C_EP) and payment, and the cycle statistics')
    .option('--from <index>', 'first trade index', '0')
    .option('--limit <n>', 'trades at most', '100')
    .action(async (cycleId: string, o: { from: string; limit: string }) => {
      const r = await call('GetTrades', false, id(cycleId, 'cycleId'), String(positiveInt(o.from, '--from')), String(positiveInt(o.limit, '--limit')));
      out.result(r, () =>
        [
          `cycle ${r.cycleId}: ${r.status}${r.stats ? `, ${r.stats.trades} trades, ${r.stats.volume} Wh, value ${r.stats.value}, vwap ${r.stats.vwap ?? '-'}` : ''}`,
          table(
            ['#', 'S_EP', 'P_EP', 'PRICE', 'Wh', 'PAYMENT', 'SELLER', 'BUYER', 'STATUS', 'DEADLINE'],
            (r.trades as Row[]).map((t) => [t.index, t.sellPrice, t.buyPrice, t.price, t.quantity, t.payment, t.sellerId, t.buyerId, t.status, iso(t.deadline)]),
          ),
        ].join('\n'),
      );
    });
  cmd
    .command('defaults')
    .description('the public board of parties reported for unmet obligations')
    .option('--account <hex>', 'one account only')
    .action(async (o: { account?: string }) => {
      const rows = await call<Row[]>('ListDefaults', false, o.account ?? '');
      out.result(rows, () => table(['TRADER', 'ROLE', 'REASON', 'CYCLE', '#', 'AMOUNT', 'REPORTED'], rows.map((d) => [d.trader, d.role, d.reason, d.cycleId, d.index, d.amount, iso(d.reportedAt)])));
    });

  // ------------------------------------------------------------------ settlement
  const settle = cmd.command('settle').description('settlement obligations: invoice, acknowledge, prove, report');
  const obligationOpts = (c: Command) => c.requiredOption('--cycle <id>', 'trading cycle').requiredOption('--index <n>', 'trade index');
  obligationOpts(settle.command('show'))
    .description('one obligation')
    .action(async (o: { cycle: string; index: string }) => {
      const ob = await call('GetObligation', false, id(o.cycle, '--cycle'), String(positiveInt(o.index, '--index')));
      out.result(ob, () => keyValues([['trade', `${ob.cycleId}/${ob.index}`], ['seller', ob.sellerId], ['buyer', ob.buyerId], ['amount', ob.payment], ['status', ob.status], ['invoice', ob.hashLock ?? '-'], ['invoice by', iso(ob.invoiceBy)], ['deadline', iso(ob.deadline)]]));
    });
  obligationOpts(settle.command('invoice'))
    .description('as the seller: draw R, publish H(R) for this obligation, and keep R (pay-to hash lock for direct or multi-hop payment)')
    .option('--preimage-out <file>', 'where to write R (mode 600; default: print it)')
    .action(async (o: { cycle: string; index: string; preimageOut?: string }) => {
      const { preimage, hashLock } = channels.newPreimage();
      if (o.preimageOut) writeFileSync(o.preimageOut, `${JSON.stringify({ cycleId: o.cycle, index: Number(o.index), preimage, hashLock })}\n`, { mode: 0o600 });
      const ob = await call('InvoiceObligation', true, ...(await signedArgs(MARKET_ACTIONS.invoice, { cycleId: id(o.cycle, '--cycle'), index: positiveInt(o.index, '--index'), hashLock })));
      out.result({ ...ob, ...(o.preimageOut ? {} : { preimage }) }, () => `invoiced ${o.cycle}/${o.index}: hash lock ${hashLock}; ${o.preimageOut ? `R kept in ${o.preimageOut}` : `R = ${preimage} (keep it secret until paid)`}`);
    });
  obligationOpts(settle.command('ack'))
    .description('as the seller: acknowledge that the buyer paid')
    .action(async (o: { cycle: string; index: string }) => {
      const ob = await call('AcknowledgePayment', true, ...(await signedArgs(MARKET_ACTIONS.ack, { cycleId: id(o.cycle, '--cycle'), index: positiveInt(o.index, '--index') })));
      out.result(ob, () => `obligation ${o.cycle}/${o.index} settled (acknowledged by the seller)`);
    });
  obligationOpts(settle.command('prove'))
    .description('prove an invoiced obligation paid with the preimage R learnt from the payment')
    .requiredOption('--preimage <hex>', 'R (32 bytes hex)')
    .action(async (o: { cycle: string; index: string; preimage: string }) => {
      const ob = await call('ProvePayment', true, id(o.cycle, '--cycle'), String(positiveInt(o.index, '--index')), o.preimage);
      out.result(ob, () => `obligation ${o.cycle}/${o.index} settled (preimage)`);
    });
  obligationOpts(settle.command('report'))
    .description('report an obligation unpaid after its deadline (the defaulting party goes on the board)')
    .action(async (o: { cycle: string; index: string }) => {
      const ob = await call('ReportUnpaid', true, id(o.cycle, '--cycle'), String(positiveInt(o.index, '--index')));
      out.result(ob, () => `obligation ${o.cycle}/${o.index}: ${ob.status}${ob.defaulter ? ` (${ob.defaulter} reported)` : ''}`);
    });

  return cmd;
}
