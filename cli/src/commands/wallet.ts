import { Command } from 'commander';
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { channels, generateKeyPair, IbsKeyPair, KeyCertificate, userKeyGen } from '@gridledger/core';
import { GlobalOptions, withContract } from '../context';
import { CliError, ExitCode } from '../exit-codes';
import { keyValues, table } from '../output/table';
import { Printer } from '../output/printer';
import { channelOf, DEFAULT_WALLET, loadWallet, readJsonFile, saveWallet, Wallet, writeSecretFile } from '../wallet-store';
import { positiveInt } from './kgc';
import { nextNonce } from './pile';

const utf8 = (b: Uint8Array) => Buffer.from(b).toString('utf8');
const nowS = () => Math.floor(Date.now() / 1000);

function amount(v: string, what: string): string {
  if (!/^(0|[1-9][0-9]{0,15})$/.test(v)) throw new CliError(`${what} must be a non-negative integer`, ExitCode.Usage, 'USAGE');
  return v;
}

/** Runs one full update (propose, accept, revoke) between two local wallets and saves both. */
function localUpdate(files: { me: string; peer: string }, channelId: string, op: channels.UpdateOp): channels.SignedState {
  const me = loadWallet(files.me);
  const peer = loadWallet(files.peer);
  const a = channelOf(me, channelId);
  const b = channelOf(peer, channelId);
  const now = nowS();
  const proposal = a.ch.propose(op, now);
  const accept = b.ch.receive(proposal, now);
  const revoke = a.ch.onAccept(accept);
  b.ch.onRevoke(revoke);
  me.channels[channelId].snapshot = a.ch.snapshot();
  peer.channels[channelId].snapshot = b.ch.snapshot();
  // Both persisted before anything else happens: a co-signed state is never only in memory.
  saveWallet(files.peer, peer);
  saveWallet(files.me, me);
  return a.ch.latest;
}

/** `gridledger wallet ...`: an end user's keys, account and payment channels. */
export function walletCommand(globals: () => GlobalOptions, out: Printer): Command {
  const cmd = new Command('wallet')
    .description('a user wallet: keys, balance, payment channels (requests are relayed by --org/--identity)')
    .option('--wallet <path>', 'wallet file (default ~/.config/gridledger/wallet.json, env GRIDLEDGER_WALLET)');
  const file = () => cmd.opts<{ wallet?: string }>().wallet ?? DEFAULT_WALLET();
  const submit = (contract: string, fn: string, ...args: string[]) => withContract(globals(), contract, async (c) => JSON.parse(utf8(await c.submitTransaction(fn, ...args))));
  const evaluate = (contract: string, fn: string, ...args: string[]) => withContract(globals(), contract, async (c) => JSON.parse(utf8(await c.evaluateTransaction(fn, ...args))));
  const peerFile = (w: Wallet, channelId: string, given?: string) => given ?? w.channels[channelId]?.peerWallet;

  cmd
    .command('keygen')
    .description('create the wallet: an Ed25519 account key and, with --id, a BLS identity key for certified registration')
    .option('--id <id>', 'also make an identity key for this ID and write the registration request')
    .option('--request-out <file>', 'where to write the registration request (default: print it)')
    .option('--force', 'overwrite an existing wallet (its keys are lost)')
    .addHelpText('after', '\nExamples:\n  $ gridledger wallet keygen --id user:alice --request-out alice-request.json\n  $ gridledger wallet --wallet ./bob.json keygen')
    .action((o: { id?: string; requestOut?: string; force?: boolean }) => {
      const f = file();
      if (existsSync(f) && !o.force) throw new CliError(`a wallet already exists at ${f} (use --force to replace it)`, ExitCode.Usage, 'EXISTS');
      const w: Wallet = { version: 1, account: generateKeyPair(), channels: {} };
      let request: Record<string, string> | undefined;
      if (o.id) {
        const u = userKeyGen(o.id);
        w.identity = { key: u.key, proofOfPossession: u.proofOfPossession };
        request = { id: o.id, publicKey: u.key.publicKey, proofOfPossession: u.proofOfPossession };
      }
      saveWallet(f, w);
      if (request && o.requestOut) writeSecretFile(o.requestOut, request, true);
      out.result({ wallet: f, account: w.account.publicKey, request: request ?? null }, () =>
        [`wallet ${f} (mode 600)`, `account ${w.account.publicKey}`, ...(request ? [o.requestOut ? `registration request in ${o.requestOut}` : `registration request: ${JSON.stringify(request)}`] : [])].join('\n'),
      );
    });

  cmd
    .command('import-key <file>')
    .description('store a key and certificate delivered by the KGC (escrow mode) or a certificate for the wallet\'s own key')
    .action((f: string) => {
      const w = loadWallet(file());
      const got = readJsonFile<{ key?: IbsKeyPair; certificate?: KeyCertificate } & Partial<KeyCertificate>>(f, 'key file');
      const certificate = got.certificate ?? (got.kgcSignature ? (got as KeyCertificate) : undefined);
      if (got.key) w.identity = { key: got.key, certificate };
      else if (certificate && w.identity && certificate.publicKey === w.identity.key.publicKey) w.identity.certificate = certificate;
      else throw new CliError('the file holds neither a key nor a certificate for this wallet\'s identity key', ExitCode.Usage, 'BAD_INPUT');
      saveWallet(file(), w);
      out.result({ id: w.identity!.key.id, certified: Boolean(w.identity!.certificate) }, () => `identity ${w.identity!.key.id} stored`);
    });

  cmd
    .command('show')
    .description('the wallet\'s public keys (private keys only with --show-secrets)')
    .option('--show-secrets', 'also print private keys')
    .action((o: { showSecrets?: boolean }) => {
      const w = loadWallet(file());
      const view = {
        account: w.account.publicKey,
        identity: w.identity ? { id: w.identity.key.id, publicKey: w.identity.key.publicKey, certified: Boolean(w.identity.certificate) } : null,
        channels: Object.keys(w.channels),
        ...(o.showSecrets ? { secrets: { account: w.account.privateKey, identity: w.identity?.key.secretKey ?? null } } : {}),
      };
      out.result(view, () =>
        keyValues([
          ['account', view.account],
          ['identity', view.identity ? `${view.identity.id}${view.identity.certified ? ' (certificate held)' : ''}` : '-'],
          ['channels', view.channels.length],
          ...(o.showSecrets ? ([['account secret', w.account.privateKey], ['identity secret', w.identity?.key.secretKey]] as Array<[string, string | undefined]>) : []),
        ]),
      );
    });

  cmd
    .command('balance')
    .description('the account\'s energy and payment balances on chain')
    .action(async () => {
      const w = loadWallet(file());
      const acct = await evaluate('accounts', 'GetAccount', w.account.publicKey);
      out.result(acct, () => keyValues([['account', acct.account], ['energy (Wh)', acct.energyWh], ['pay', acct.pay], ['nonce', acct.nonce]]));
    });

  cmd
    .command('open')
    .description('open a channel with another local wallet (demo/tests; the broker collects the peer\'s signature in production)')
    .requiredOption('--peer-wallet <path>', 'the other side\'s wallet file')
    .requiredOption('--deposit <n>', 'this wallet\'s deposit (payment units)')
    .option('--peer-deposit <n>', 'the peer\'s deposit', '0')
    .option('--window <s>', 'dispute window in seconds (within the Utility\'s bounds)')
    .option('--bind', 'bind each channel key to the wallet\'s registered identity (BLS)')
    .option('--key-type <kind>', 'this wallet\'s channel key: ed25519 (fast to sign) or rsa-pss (fast for the broker to verify)', 'ed25519')
    .option('--peer-key-type <kind>', 'the peer\'s channel key kind', 'ed25519')
    .addHelpText('after', '\nExample:\n  $ gridledger --org operator --identity client wallet --wallet alice.json open --peer-wallet pile.json --deposit 1000 --peer-key-type rsa-pss')
    .action(async (o: { peerWallet: string; deposit: string; peerDeposit: string; window?: string; bind?: boolean; keyType: string; peerKeyType: string }) => {
      const me = loadWallet(file());
      const peer = loadWallet(o.peerWallet);
      const keys = { a: await channels.generateChannelKeyAsync(keyKind(o.keyType, '--key-type')), b: await channels.generateChannelKeyAsync(keyKind(o.peerKeyType, '--peer-key-type')) };
      const terms: channels.OpenTerms = {
        network: channels.ONCHAIN_NETWORK,
        salt: randomBytes(12).toString('hex'),
        a: { account: me.account.publicKey, channelKey: keys.a.publicKey, deposit: amount(o.deposit, '--deposit') },
        b: { account: peer.account.publicKey, channelKey: keys.b.publicKey, deposit: amount(o.peerDeposit, '--peer-deposit') },
      };
      if (o.window) terms.disputeWindow = positiveInt(o.window, '--window');
      const channelId = channels.channelIdOf(terms);
      if (o.bind) {
        for (const [s, w] of [['a', me], ['b', peer]] as const) {
          if (!w.identity) throw new CliError(`--bind: wallet of side ${s} has no identity key`, ExitCode.Usage, 'USAGE');
          terms[s].identity = { id: w.identity.key.id, binding: channels.bindChannelKey(w.identity.key, keys[s].publicKey, channels.bindingScope(channelId)) };
        }
      }
      const auth = {
        a: channels.signOpen(terms, 'a', me.account.privateKey, await nextNonce(globals(), me.account.publicKey)),
        b: channels.signOpen(terms, 'b', peer.account.privateKey, await nextNonce(globals(), peer.account.publicKey)),
      };
      const rec = await submit('channel', 'Open', JSON.stringify({ terms, auth }));
      const record = channels.recordOf(terms, rec.disputeWindow);
      for (const [s, w, f, pf] of [['a', me, file(), o.peerWallet], ['b', peer, o.peerWallet, file()]] as const) {
        const ch = new channels.Channel({ record, side: s, privateKey: keys[s].privateKey });
        w.channels[channelId] = { snapshot: ch.snapshot(), channelKey: keys[s], peerWallet: pf, status: 'open' };
        saveWallet(f, w);
      }
      out.result(rec, () => `opened ${channelId}: ${terms.a.deposit} + ${terms.b.deposit}, dispute window ${rec.disputeWindow} s`);
    });

  cmd
    .command('pay')
    .description('pay over a channel: one co-signed update with the peer\'s local wallet (off chain, nothing submitted)')
    .requiredOption('--channel <id>', 'channel id')
    .requiredOption('--amount <n>', 'payment units')
    .option('--peer-wallet <path>', 'the peer\'s wallet (default: the one recorded at open)')
    .action((o: { channel: string; amount: string; peerWallet?: string }) => {
      const w = loadWallet(file());
      const pf = peerFile(w, o.channel, o.peerWallet);
      if (!pf) throw new CliError('no peer wallet known for this channel: pass --peer-wallet', ExitCode.Usage, 'USAGE');
      const side = channelOf(w, o.channel).wc.snapshot.side;
      const latest = localUpdate({ me: file(), peer: pf }, o.channel, { kind: 'pay', from: side, amount: amount(o.amount, '--amount') });
      out.result({ channelId: o.channel, version: latest.state.version, balances: latest.state.balances }, () => `version ${latest.state.version}: a ${latest.state.balances.a}, b ${latest.state.balances.b}`);
    });

  cmd
    .command('channels')
    .description('the wallet\'s channels and their latest co-signed state')
    .action(() => {
      const w = loadWallet(file());
      const rows = Object.entries(w.channels).map(([id, c]) => ({ id, side: c.snapshot.side, status: c.status, version: c.snapshot.latest.state.version, balances: c.snapshot.latest.state.balances, htlcs: c.snapshot.latest.state.htlcs.length }));
      out.result(rows, () => table(['CHANNEL', 'SIDE', 'STATUS', 'VERSION', 'A', 'B', 'HTLCS'], rows.map((r) => [`${r.id.slice(0, 19)}...`, r.side, r.status, r.version, r.balances.a, r.balances.b, r.htlcs])));
    });

  cmd
    .command('close')
    .description('close a channel: cooperatively with the peer\'s local wallet, or unilaterally (--unilateral or no peer)')
    .requiredOption('--channel <id>', 'channel id')
    .option('--peer-wallet <path>', 'the peer\'s wallet')
    .option('--unilateral', 'post our latest co-signed state and open the dispute window')
    .action(async (o: { channel: string; peerWallet?: string; unilateral?: boolean }) => {
      const w = loadWallet(file());
      const { wc, ch } = channelOf(w, o.channel);
      const pf = peerFile(w, o.channel, o.peerWallet);
      let request: unknown;
      if (!o.unilateral && pf) {
        const final = localUpdate({ me: file(), peer: pf }, o.channel, { kind: 'close' });
        request = { channelId: o.channel, by: wc.snapshot.side, signed: final };
      } else {
        request = channels.signClose(ch.latest, wc.snapshot.side, wc.channelKey.privateKey);
      }
      const r = await submit('channel', 'Close', JSON.stringify(request));
      const after = loadWallet(file());
      after.channels[o.channel].status = r.status;
      saveWallet(file(), after);
      if (pf && r.status === 'closed') {
        const peer = loadWallet(pf);
        if (peer.channels[o.channel]) peer.channels[o.channel].status = 'closed';
        saveWallet(pf, peer);
      }
      out.result(r, () => (r.status === 'closed' ? `closed: paid a ${r.settlement.payouts.a}, b ${r.settlement.payouts.b}` : `closing with version ${r.close.version}; dispute window ends at ${new Date(r.deadline * 1000).toISOString()}`));
    });

  cmd
    .command('dispute')
    .description('answer the peer\'s unilateral close: post our newer state, or breach evidence if it posted a revoked one')
    .requiredOption('--channel <id>', 'channel id')
    .action(async (o: { channel: string }) => {
      const w = loadWallet(file());
      const { wc, ch } = channelOf(w, o.channel);
      const onChain = await evaluate('channel', 'GetChannel', o.channel);
      if (onChain.status !== 'closing' || !onChain.close) throw new CliError(`channel ${o.channel} is ${onChain.status}: nothing to dispute`, ExitCode.Refused, 'FORBIDDEN_STATE');
      const closer = onChain.close.by as channels.Side;
      const best = Math.max(onChain.close.version, onChain.counter?.version ?? -1);
      if (closer === wc.snapshot.side && !onChain.counter) {
        out.result({ action: 'none', reason: 'we closed it' }, () => 'we closed this channel; nothing to answer');
        return;
      }
      const answer = channels.watchResponse(ch.watchRecord(), closer, best, wc.snapshot.record.keys);
      if (answer.kind === 'none') {
        out.result({ action: 'none' }, () => `the posted version ${best} is our latest; nothing to answer`);
        return;
      }
      // After the window a counter is refused, but breach evidence (our state with the closer's
      // signature, and its secret for it) is accepted until payout.
      const windowOver = typeof onChain.deadline === 'number' && Date.now() / 1000 >= onChain.deadline;
      const r =
        windowOver && answer.kind === 'breach'
          ? await submit('channel', 'PostRevocations', o.channel, JSON.stringify({ revocations: answer.revocations, states: [answer.signed] }))
          : await submit('channel', 'Counter', JSON.stringify({ channelId: o.channel, by: wc.snapshot.side, signed: answer.signed, revocations: answer.kind === 'breach' ? answer.revocations : [] }));
      out.result({ action: answer.kind, result: r }, () => (r.status === 'closed' ? `breach proven: paid a ${r.settlement.payouts.a}, b ${r.settlement.payouts.b}` : `posted version ${answer.signed.state.version}; payout from ${r.settlement.readyAt ?? '?'}`));
    });

  cmd
    .command('settle')
    .description('pay out a unilateral close after its dispute window (and HTLC locks)')
    .requiredOption('--channel <id>', 'channel id')
    .action(async (o: { channel: string }) => {
      const r = await submit('channel', 'Settle', o.channel);
      if (existsSync(file())) {
        const w = loadWallet(file());
        if (w.channels[o.channel]) {
          w.channels[o.channel].status = 'closed';
          saveWallet(file(), w);
        }
      }
      out.result(r, () => `settled (${r.settlement.kind}): a ${r.settlement.payouts.a}, b ${r.settlement.payouts.b}`);
    });

  cmd
    .command('reveal <preimage>')
    .description('reveal an HTLC preimage on chain (claims every channel\'s HTLC with that lock before its time lock)')
    .action(async (preimage: string) => {
      const r = await submit('channel', 'RevealPreimage', preimage);
      out.result(r, () => `${r.first ? 'revealed' : 'already revealed'} ${r.hashLock} at ${new Date(r.revealedAt * 1000).toISOString()}`);
    });

  return cmd;
}

const KEY_KINDS: readonly channels.ChannelKeyKind[] = ['ed25519', 'rsa-pss'];

function keyKind(value: string, flag: string): channels.ChannelKeyKind {
  if (!(KEY_KINDS as readonly string[]).includes(value)) throw new CliError(`${flag} must be one of ${KEY_KINDS.join(', ')}`, ExitCode.Usage, 'USAGE');
  return value as channels.ChannelKeyKind;
}
