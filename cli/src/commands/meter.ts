import { Command } from 'commander';
import { canonicalJson, generateKeyPair, KeyPair, MeterReading, signRequest } from '@gridledger/core';
import { GlobalOptions } from '../context';
import { CliError, ExitCode } from '../exit-codes';
import { keyValues } from '../output/table';
import { Printer } from '../output/printer';
import { readJsonFile, writeSecretFile } from '../wallet-store';
import { evaluateJson, hexKey, submitJson } from './lending-common';

/** `gridledger meter ...`: smart meters and minting of energy credits (Utility). */
export function meterCommand(globals: () => GlobalOptions, out: Printer): Command {
  const cmd = new Command('meter').description('smart meters (Utility): register, mint energy credits from signed readings, show');

  cmd
    .command('keygen')
    .description('make a meter key (for tests and demos; real meters hold their own)')
    .requiredOption('--out <file>', 'meter key file (mode 600)')
    .action((o: { out: string }) => {
      const k = generateKeyPair();
      writeSecretFile(o.out, k);
      out.result({ publicKey: k.publicKey, file: o.out }, () => `meter key in ${o.out}\npublic key ${k.publicKey}`);
    });

  cmd
    .command('register <meterId>')
    .description('register a meter\'s public key and the account its production is minted to (Utility admin)')
    .requiredOption('--public-key <hex>', 'the meter\'s Ed25519 public key')
    .requiredOption('--owner <hex>', 'the account credited with the meter\'s energy')
    .addHelpText('after', '\nExample:\n  $ gridledger --org utility meter register m-17 --public-key 3b6a... --owner 9f2c...')
    .action(async (meterId: string, o: { publicKey: string; owner: string }) => {
      await submitJson(globals(), 'accounts', 'RegisterMeter', meterId, hexKey(o.publicKey, '--public-key'), hexKey(o.owner, '--owner'));
      out.result({ meterId, publicKey: o.publicKey, owner: o.owner }, () => `meter ${meterId} registered, minting to ${o.owner}`);
    });

  cmd
    .command('mint')
    .description('mint from a meter reading (Utility admin): a file {reading, signature}, or a plain reading signed here with --meter-key')
    .requiredOption('--reading <file>', 'the reading JSON file')
    .option('--meter-key <file>', 'sign the plain reading with this meter key file (demos)')
    .addHelpText('after', '\nExample:\n  $ gridledger --org utility meter mint --reading reading-17.json')
    .action(async (o: { reading: string; meterKey?: string }) => {
      const file = readJsonFile<{ reading?: MeterReading; signature?: string } & Partial<MeterReading>>(o.reading, 'reading');
      let reading: MeterReading;
      let signature: string;
      if (file.reading && file.signature) {
        reading = file.reading;
        signature = file.signature;
      } else if (o.meterKey && file.meterId) {
        reading = { meterId: file.meterId, seq: file.seq!, cumulativeWh: file.cumulativeWh!, readAt: file.readAt ?? Math.floor(Date.now() / 1000) };
        signature = signRequest('meter-reading', reading, readJsonFile<KeyPair>(o.meterKey, 'meter key').privateKey).signature;
      } else {
        throw new CliError('the reading file must hold {reading, signature}, or a plain reading with --meter-key', ExitCode.Usage, 'BAD_INPUT');
      }
      const minted = await submitJson(globals(), 'accounts', 'MintFromMeter', canonicalJson(reading), signature);
      out.result(minted, () => `minted ${minted.mintedWh} Wh from meter ${minted.meterId} (reading ${minted.seq}) to ${minted.to}`);
    });

  cmd
    .command('show <meterId>')
    .description('a meter and its last accepted reading')
    .action(async (meterId: string) => {
      const m = await evaluateJson(globals(), 'accounts', 'GetMeter', meterId);
      out.result(m, () => keyValues([['meter', m.meterId], ['public key', m.publicKey], ['owner', m.owner], ['last reading', m.lastSeq], ['cumulative (Wh)', m.lastCumulativeWh]]));
    });

  return cmd;
}
