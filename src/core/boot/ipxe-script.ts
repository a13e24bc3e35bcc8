// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} here is iPXE settings syntax, not a JS template
// iPXE scripts, rendered whole (golden files in test/fixtures/ipxe). Two steps:
//  1. the per-machine entry script (/boot/<mac>.ipxe) reports the identity: SMBIOS uuid/serial/maker, build arch,
//     firmware platform and every NIC's MAC + link state, by chain-loading /boot/report?…;
//  2. /boot/report answers with the decision script rendered here by renderBootScript.
// Only features present in Debian's iPXE 1.0.0+git-20190125 are used (no HTTPS, no `inc`; test-harness §1).
import type { BootDecision } from './decide.js';
import { softSerialOf } from './identity.js';
import { GRUB_EFI } from './manifest.js';

export interface ScriptTarget {
  /** http://<ip>:<port> of the boot API, IP-literal (firmware may lack DNS). */
  base: string;
}

const MAX_REPORT_TRIES = 3;
/** NICs the scripts look at (net0…net7). */
const NIC_COUNT = 8;

export function renderIdentityScript(t: ScriptTarget, nicCount = NIC_COUNT): string {
  const l: string[] = ['#!ipxe', '# eveboot: report this machine, then chain to its boot decision (/boot/report).'];
  l.push(`set eb_base ${t.base}`);
  // Capture the boot NIC first: ${netX} means "most recently opened", and iflinkwait below may open others.
  l.push('set eb_mac ${netX/mac}', 'set eb_nics');
  // Every NIC with its link state (the multi-NIC loop of Sidero's embedded script, pxe-anchors.md "Cross-cutting").
  // Unrolled because Debian's 2019 iPXE has no `inc`; the first unset ${netN/mac} ends the list.
  for (let i = 0; i < nicCount; i++) {
    l.push(`isset \${net${i}/mac} || goto eb_nics_done`);
    // Debian's 2019 iPXE has no iflinkwait ("command not found", seen under QEMU): that is "unknown", not "down".
    l.push(`iflinkwait --timeout 500 net\${i} && set eb_link up || set eb_link unknown`);
    l.push(`set eb_nics \${eb_nics}&net${i}=\${net${i}/mac},\${eb_link}`);
  }
  l.push(':eb_nics_done');
  const query =
    'mac=${eb_mac}&uuid=${uuid}&serial=${serial:uristring}&manufacturer=${manufacturer:uristring}' +
    '&product=${product:uristring}&buildarch=${buildarch}&platform=${platform}${eb_nics}';
  for (let i = 1; i <= MAX_REPORT_TRIES; i++) {
    l.push(`chain --autofree \${eb_base}/boot/report?${query} && exit ||`);
    l.push(`echo eveboot: report to \${eb_base} failed (try ${i} of ${MAX_REPORT_TRIES})`);
    if (i < MAX_REPORT_TRIES) l.push('sleep 5');
  }
  // Never wedge a box in PXE: after the last failure hand back to the firmware boot order.
  l.push('echo eveboot: appliance unreachable, returning to the firmware boot order', 'sleep 5', 'exit 1');
  return `${l.join('\n')}\n`;
}

export interface BootScriptInput extends ScriptTarget {
  mac: string;
  decision: BootDecision;
  /** Kernel-mode images only: arguments appended after the image's cmdline (site extraArgs, eveboot.*). */
  kernelArgs?: string;
  /** The install decision's one-time nonce (core/boot/grant.ts): callbacks count only with it. */
  nonce?: string;
}

export interface StandInArgs extends ScriptTarget {
  mac: string;
  /** `host:port` of the EVE controller. */
  controller: string;
  /** Site installer options (eve_install_disk=…, …). */
  installArgs: string[];
  /** The image whose installer.iso the stand-in reads CONFIG from (served patched for this install). */
  imageId: string;
  /** The install decision's nonce (core/boot/grant.ts): the installed callback counts only with it. */
  nonce?: string;
}

/** Kernel-mode (stand-in) install arguments: EVE's installer options, eve_soft_serial of the booting NIC as EVE's
 *  ipxe.efi.cfg passes it (`${mac:hexhyp}`), and the stand-in's installed callback. CONFIG is not among them: the
 *  installer reads it from config.img inside installer.iso, as EVE's does (eve-conformance §2). */
export function standInKernelArgs(a: StandInArgs): string {
  return [
    `eve_install_server=${a.controller}`,
    ...a.installArgs,
    `eve_soft_serial=${softSerialOf(a.mac)}`,
    `eveboot.server=${a.base}`,
    `eveboot.mac=${a.mac}`,
    // The CONFIG inside this ISO is this install's: the URL carries the decision's nonce, as the callback does.
    `eveboot.iso=${a.base}/artifacts/${a.imageId}/installer.iso${a.nonce ? `?nonce=${a.nonce}` : ''}`,
    `eveboot.installed=${a.base}/boot/installed?mac=${a.mac}${a.nonce ? `&nonce=${a.nonce}` : ''}`,
  ].join(' ');
}

export function renderBootScript(input: BootScriptInput): string {
  const { decision: d, mac, base } = input;
  const l: string[] = ['#!ipxe', `# eveboot decision for ${mac}: ${d.kind}`, `# reason: ${echoText(d.reason)}`];
  const n = input.nonce ? `&nonce=${input.nonce}` : '';
  const booting = (stage: string, extra = '') =>
    `imgfetch --name eb_booting ${base}/boot/booting?mac=${mac}&stage=${stage}${extra}${n} && imgfree eb_booting ||`;
  switch (d.kind) {
    case 'install': {
      const img = d.image;
      const art = `${base}/artifacts/${img.id}`;
      l.push(`echo eveboot: ${echoText(d.reason)}`);
      if (img.boot.mode === 'grub') {
        // EVE's GRUB reads the served EFI/BOOT/grub.cfg next to itself; ours sets cmddevice=http,<ip>:<port>
        // so installer.iso is loop-mounted over HTTP with Range, not TFTP (eve-api-facts §6.2, eve PR #6380).
        l.push(booting('grub', `&image=${img.id}`));
        // GRUB takes its device, tftp,<siaddr>, from the DHCPACK iPXE hands it, not from iPXE's merged settings
        // (docs/concepts/grub-under-ipxe.md). Under proxyDHCP that is the site server's next-server and GRUB never
        // finds our grub.cfg, so point the boot NIC's DHCP block at us first (a no-op with our full DHCP).
        for (let i = 0; i < NIC_COUNT; i++) {
          l.push(`iseq x\${net${i}/mac} x${mac} && set net${i}.dhcp/next-server ${new URL(base).hostname} ||`);
        }
        l.push(`chain ${art}/${GRUB_EFI[img.arch]} || goto eb_failed`);
      } else {
        const initrds = img.boot.initrd;
        // UEFI iPXE 2019 needs initrd=<name> on the cmdline for the EFI stub to load it (test-harness §1).
        const args = [img.boot.cmdline, ...initrds.map((p) => `initrd=${baseName(p)}`), input.kernelArgs ?? '']
          .filter((s) => s.trim() !== '')
          .join(' ');
        l.push(`kernel ${art}/${img.boot.kernel} ${args} || goto eb_failed`);
        for (const p of initrds) l.push(`initrd ${art}/${p} || goto eb_failed`);
        l.push(booting('kernel', `&image=${img.id}`));
        l.push('boot || goto eb_failed');
      }
      l.push(
        ':eb_failed',
        'echo eveboot: the installer did not start; returning to the firmware boot order',
        'sleep 10',
      );
      l.push('exit 1');
      break;
    }
    case 'unsupported':
      l.push(`echo eveboot: cannot install: ${echoText(d.reason)}`, 'sleep 10');
      l.push(...localBoot(d.method, booting('unsupported')));
      break;
    case 'hold':
      l.push(`echo eveboot: held for the operator: ${echoText(d.reason)}`, 'sleep 10');
      l.push(...localBoot(d.method, booting('held')));
      break;
    case 'ignore':
      l.push(`echo eveboot: not booting this machine: ${echoText(d.reason)}`);
      l.push(...localBoot(d.method, booting('ignored')));
      break;
    case 'local':
      l.push(`echo eveboot: ${echoText(d.reason)}`);
      l.push(...localBoot(d.method, booting('local')));
      break;
  }
  return `${l.join('\n')}\n`;
}

function localBoot(method: 'exit' | 'sanboot', callback: string): string[] {
  if (method === 'exit') return [callback, 'exit'];
  // INT 13h drive 0x80 = first local disk. Many UEFI iPXE builds cannot sanboot a local disk, so fall back to exit
  // (return to the firmware boot order); that is why the site chooses the method.
  return [callback, 'sanboot --no-describe --drive 0x80 || exit'];
}

/** Reasons quote vendor-controlled SMBIOS strings. iPXE expands ${…} and splits on && / || even inside echo, so
 *  keep them to one line of plain characters. */
function echoText(s: string): string {
  return s.replace(/[\r\n]+/g, ' ').replace(/[^A-Za-z0-9 .,:;()/_=+@'-]/g, '?');
}

function baseName(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}
