import { channels } from '@gridledger/core';
import { createVerifier, InlineVerifier, WorkerPoolVerifier, type SignatureCheck } from './verifier';

const ed = channels.generateChannelKey();
const rsa = channels.generateChannelKey('rsa-pss');
const digest = (i: number) => Buffer.alloc(32, i);
const good = (i: number, k = i % 2 ? rsa : ed): SignatureCheck => ({ digest: digest(i), key: k.publicKey, signature: channels.signDigest(digest(i), k.privateKey) });
const flip = (c: SignatureCheck): SignatureCheck => ({ ...c, signature: (c.signature[0] === '0' ? '1' : '0') + c.signature.slice(1) });

describe.each([
  ['inline', () => new InlineVerifier()],
  ['worker pool', () => new WorkerPoolVerifier(2)],
])('%s signature verifier', (_name, make) => {
  const v = make();
  afterAll(() => v.close());

  it('answers every caller in order, Ed25519 and RSA alike, false for a wrong signature or key', async () => {
    const calls = Array.from({ length: 40 }, (_, i) => (i % 3 === 0 ? [good(i), flip(good(i + 1))] : [good(i)]));
    const results = await Promise.all(calls.map((c) => v.verify(c)));
    results.forEach((r, i) => expect(r).toEqual(i % 3 === 0 ? [true, false] : [true]));
    expect(await v.verify([{ ...good(1), key: 'zz' }, { ...good(2), signature: 'not hex' }, { ...good(3), digest: digest(4) }])).toEqual([false, false, false]);
  });
});

describe('worker pool', () => {
  it('refuses work once closed', async () => {
    const v = new WorkerPoolVerifier(1);
    expect(await v.verify([good(0)])).toEqual([true]);
    await v.close();
    await expect(v.verify([good(0)])).rejects.toThrow(/closed/);
  });
  it('GRIDLEDGER_BROKER_VERIFY_THREADS=0 verifies on the event loop; junk is refused', async () => {
    const old = process.env.GRIDLEDGER_BROKER_VERIFY_THREADS;
    try {
      process.env.GRIDLEDGER_BROKER_VERIFY_THREADS = '0';
      expect(createVerifier()).toBeInstanceOf(InlineVerifier);
      process.env.GRIDLEDGER_BROKER_VERIFY_THREADS = 'many';
      expect(() => createVerifier()).toThrow(/0-64/);
    } finally {
      if (old === undefined) delete process.env.GRIDLEDGER_BROKER_VERIFY_THREADS;
      else process.env.GRIDLEDGER_BROKER_VERIFY_THREADS = old;
    }
  });
});
