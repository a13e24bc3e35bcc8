// The stand-in EVE installer of the simulated nodes, doing what test/fixtures/qemu/init.sh does on real firmware
// and what EVE's installer does for CONFIG (eve-conformance §2): it takes installer.iso from the boot server, as
// GRUB's `loopback loop0 ($cmddevice)/installer.iso` does, copies the /config.img inside it (never a CONFIG from
// anywhere else), keeps eve_soft_serial= from its command line (pkg/installer/install), and reports installed.
import { readFile } from '../core/disk/fat-read.js';
import { findEmbeddedConfig } from '../core/iso/embedded-config.js';

export interface StandInResult {
  /** `server` from the CONFIG inside installer.iso. */
  server: string;
  /** eve_soft_serial= from the command line; EVE's installer writes a random uuidgen without one. */
  softSerial?: string;
  config: Uint8Array;
}

export interface StandInDeps {
  fetch: (url: string) => Promise<Uint8Array>;
  /** "Writes EVE-OS to disk" (a pause) before the installed report. */
  writeDisk: () => Promise<void>;
  log: (m: string) => void;
}

export async function runStandInInstaller(args: string[], d: StandInDeps): Promise<StandInResult> {
  const arg = (k: string) => args.find((a) => a.startsWith(`${k}=`))?.slice(k.length + 1);
  const server = arg('eveboot.server');
  const installedUrl = arg('eveboot.installed');
  if (!server || !installedUrl) throw new Error('kernel command line lacks eveboot.server= / eveboot.installed=');
  // The install decision's image by name (eveboot.iso=); the root name serves the same patched bytes.
  const isoUrl = arg('eveboot.iso') ?? `${server}/installer.iso`;
  d.log(`installer: kernel up (${args.length} args), reading CONFIG from ${isoUrl}`);
  const iso = await d.fetch(isoUrl);
  const found = findEmbeddedConfig((o, l) => iso.subarray(o, o + l), iso.length);
  if (found.kind !== 'found') throw new Error(`installer.iso: ${found.reason}`);
  const config = iso.subarray(found.config.offset, found.config.offset + found.config.size);
  const configServer = new TextDecoder().decode(readFile(config, 'server')).trim();
  const softSerial = arg('eve_soft_serial');
  d.log(`installer: CONFIG from installer.iso: server ${configServer}, soft serial ${softSerial ?? '(random)'}`);
  await d.writeDisk();
  const q = new URLSearchParams({ status: 'installed', server: configServer });
  await d.fetch(`${installedUrl}&${q}`);
  return { server: configServer, softSerial, config };
}
