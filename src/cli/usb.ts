// eveboot usb build: an EVE installer.raw with this site's CONFIG written into its CONFIG partition, in place.
// No root, no loop mount: parse the GPT, rewrite the partition's FAT in memory, write it back, read it all back.
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { copyImage, readRange, writeRange } from '../adapters/disk-file.js';
import { onboardIssuer } from '../adapters/onboard-issuer.js';
import { loadSite } from '../config/site.js';
import { renderGrubCfg, siteConfigFiles } from '../core/disk/config-files.js';
import { findConfigPartition } from '../core/disk/config-partition.js';
import { DiskError, malformed } from '../core/disk/disk-error.js';
import { readFat } from '../core/disk/fat-read.js';
import { sameBytes, verifyFiles } from '../core/disk/fat-verify.js';
import { writeFiles } from '../core/disk/fat-write.js';
import { type Gpt, gptTableRanges, parseGpt, partitionRange } from '../core/disk/gpt.js';
import { resolveAdvertise } from '../core/site/advertise.js';
import { parse, required, UsageError } from './args.js';
import { pkiFor } from './pki.js';

const USAGE = `usage: eveboot usb build --site FILE --image installer.raw --out stick.img [--state DIR] [--advertise ADDR]
  --site FILE       the site file
  --image FILE      an EVE-k installer.raw (decompressed); it is not changed
  --out FILE        the stick image to write (must differ from --image)
  --state DIR       the appliance's state directory with its PKI (default ./eveboot-state)
  --advertise ADDR  the address or DNS name the nodes reach the appliance at (default: the site's
                    listen.advertise; required, and never loopback)

Copies an EVE installer.raw to --out and writes this site's CONFIG (server, root CA, a fresh onboarding cert and
key for this stick, good for one registration, grub.cfg) into its CONFIG partition. Write the result to a USB stick with dd or any image writer.`;

const HEAD_BYTES = 1024 * 1024; // LBA 0 … the entry array; EVE's first partition starts at 1 MiB

async function readGpt(path: string): Promise<Gpt> {
  return parseGpt(await readRange(path, 0, HEAD_BYTES));
}

async function tableBytes(path: string, gpt: Gpt): Promise<Uint8Array[]> {
  return Promise.all(gptTableRanges(gpt).map((r) => readRange(path, r.start, r.end - r.start)));
}

export async function usbCommand(argv: string[], out: (s: string) => void): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      site: { type: 'string' },
      image: { type: 'string' },
      out: { type: 'string' },
      state: { type: 'string', default: 'eveboot-state' },
      advertise: { type: 'string' },
    },
    USAGE,
  );
  if (positionals[0] !== 'build' || positionals.length > 1) throw new UsageError(USAGE);
  const sitePath = required(values.site, 'site', USAGE);
  const image = required(values.image, 'image', USAGE);
  const dest = required(values.out, 'out', USAGE);
  if (resolve(image) === resolve(dest)) throw new UsageError(`--out must differ from --image\n\n${USAGE}`);

  const site = loadSite(sitePath);
  const adv = resolveAdvertise({
    configured: values.advertise ?? site.listen.advertise,
    for: 'usb',
    host: site.listen.host,
  });
  if (adv.kind === 'error') throw new UsageError(`${adv.message}\n\n${USAGE}`);
  const pki = await pkiFor(values.state ?? 'eveboot-state', site.site.name, out);
  const server = `${adv.address}:${site.listen.controllerPort}`;
  // Each stick gets its own onboarding credential, good for one registration (core/eve/onboard-admission.ts):
  // a lost stick onboards at most one box, and never a second time.
  const medium = randomBytes(8).toString('hex');
  const cred = await onboardIssuer(pki.root)({ kind: 'medium', medium });
  out(`onboarding credential for medium ${medium}: cert sha256 ${cred.certHash}`);
  const files = siteConfigFiles({
    server,
    rootCaPem: pki.root.certPem,
    onboardCertPem: cred.certPem,
    onboardKeyPem: cred.keyPem,
    grubCfg: renderGrubCfg({ installServer: server, rebootAfterInstall: true }),
  });

  const gpt = await readGpt(image); // fail on a bad image before copying gigabytes
  const { partition, reasons } = findConfigPartition(gpt);
  const range = partitionRange(gpt, partition);
  const size = await copyImage(image, dest);
  const tableEnd = Math.max(...gptTableRanges(gpt).map((r) => r.end));
  if (range.end > size || tableEnd > size)
    throw malformed(`${image} is ${size} bytes but its GPT reaches byte ${Math.max(range.end, tableEnd)}: truncated?`);
  out(`copied ${image} to ${dest} (${(size / 2 ** 20).toFixed(1)} MiB)`);
  out(
    `CONFIG is partition ${partition.number} "${partition.name}" (LBA ${partition.firstLba}-${partition.lastLba}), matched by ${reasons.join(', ')}`,
  );

  const fat = await readRange(dest, range.start, range.end - range.start);
  writeFiles(fat, files, { time: new Date() });
  await writeRange(dest, range.start, fat);

  // Verify from the file, not from memory: the table is byte-identical to the source, the files read back exactly.
  const problems: string[] = [];
  const after = await readGpt(dest);
  const [want, got] = await Promise.all([tableBytes(image, gpt), tableBytes(dest, after)]);
  if (!want.every((w, i) => sameBytes(w, got[i]!))) problems.push('partition table (primary or backup GPT) changed');
  const reread = await readRange(dest, range.start, range.end - range.start);
  problems.push(...verifyFiles(reread, files));
  if (problems.length > 0)
    throw new DiskError('EVEBOOT_ERR_DISK_MALFORMED', `verification failed: ${problems.join('; ')}`);

  const listing = readFat(reread);
  out(`FAT${listing.type} volume ${listing.label || '(no label)'}: wrote ${files.map((f) => f.path).join(', ')}`);
  out(`  server ${server}; ${Math.floor((listing.freeClusters * listing.clusterBytes) / 1024)} KiB free`);
  out('verified: partition table unchanged (primary and backup GPT), every file reads back identical');
  return 0;
}
