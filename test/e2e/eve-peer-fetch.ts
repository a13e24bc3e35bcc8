// Runs inside one EVE-code device's network namespace: boots it the way the simulator does (sim/sim-ipxe.ts,
// from the per-machine iPXE script to the stand-in installer's fetch of config.img), then unpacks that CONFIG
// partition image into DIR/config, as EVE's installer copies it to the disk's CONFIG partition. Prints one JSON
// line. Usage: node --import tsx test/e2e/eve-peer-fetch.ts SCRIPT_URL LOCAL_IP MAC SERIAL SMBIOS_UUID DIR
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readFat, readFile } from '../../src/core/disk/fat-read.js';
import { ipxeChain } from '../../src/sim/sim-ipxe.js';

const [scriptUrl, localAddress, mac, serial, smbiosUuid, dir] = process.argv.slice(2) as string[] & { length: 6 };

async function main(): Promise<void> {
  const log: string[] = [];
  const run = await ipxeChain(scriptUrl!, {
    localAddress: localAddress!,
    signal: new AbortController().signal,
    smbiosUuid: smbiosUuid!,
    serial: serial!,
    bootMac: mac!,
    nics: [{ mac: mac!, up: true }],
    installMs: 10,
    log: (m) => log.push(m),
  });
  if (!run.config)
    throw new Error(`no config.img: decision ${run.decision}, ${run.error ?? log.slice(-3).join(' | ')}`);
  const out = join(dir!, 'config');
  mkdirSync(out, { recursive: true });
  const files = readFat(run.config).files.filter((f) => !f.directory);
  for (const f of files) writeFileSync(join(out, f.path), readFile(run.config, f.path), { mode: 0o600 });
  console.log(JSON.stringify({ decision: run.decision, installed: run.installed, files: files.map((f) => f.path) }));
}

main().catch((e: unknown) => {
  console.error(`eve-peer-fetch: ${(e as Error).message}`);
  process.exit(1);
});
