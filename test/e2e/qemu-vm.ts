// A PXE LAN for real firmware (test-harness §1): a server namespace whose veth joins a bridge namespace, where each
// VM gets a tap on the bridge. QEMU runs under `ip netns exec <bridge ns>` because the tap must be in the caller's
// namespace; `timeout` bounds a VM even if the test runner dies, and forwards our SIGTERM to QEMU.
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, createWriteStream, existsSync, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { exited, type Netns, sh } from './dhcp-netns.js';

export const OVMF_CODE = '/usr/share/OVMF/OVMF_CODE_4M.fd';
export const OVMF_VARS = '/usr/share/OVMF/OVMF_VARS_4M.fd';

export interface PxeLan {
  server: string;
  bridge: string;
  /** Server-side interface name inside `server` (what `eveboot serve --interface` gets). */
  serverIf: string;
}

/** Server ns (10.x.y.1/24 + a ULA on `vsrv`) ↔ bridge ns (br0) with one tap per VM name. */
export function pxeLan(net: Netns, opts: { ipv4: string; ipv6: string; taps: string[] }): PxeLan {
  const server = net.ns('qs');
  const bridge = net.ns('qb');
  sh('ip', '-n', bridge, 'link', 'add', 'br0', 'type', 'bridge');
  sh('ip', '-n', bridge, 'link', 'set', 'br0', 'up');
  net.veth(bridge, 'vbr', server, 'vsrv', undefined, opts.ipv4);
  sh('ip', '-n', bridge, 'link', 'set', 'vbr', 'master', 'br0');
  // nodad: the address is usable at once, so the RA sender can start right away.
  sh('ip', '-n', server, 'addr', 'add', opts.ipv6, 'dev', 'vsrv', 'nodad');
  for (const tap of opts.taps) {
    sh('ip', '-n', bridge, 'tuntap', 'add', 'dev', tap, 'mode', 'tap');
    sh('ip', '-n', bridge, 'link', 'set', tap, 'master', 'br0', 'up');
  }
  return { server, bridge, serverIf: 'vsrv' };
}

export interface VmSpec {
  name: string;
  firmware: 'bios' | 'uefi';
  mac: string;
  /** SMBIOS system UUID (-uuid), what iPXE reports as ${uuid}. */
  uuid: string;
  /** SMBIOS system serial (-smbios type=1). */
  serial: string;
  tap: string;
  /** Where console logs and the UEFI variable store go. */
  dir: string;
}

export interface ConsoleLine {
  /** Seconds since QEMU started. */
  t: number;
  text: string;
}

/** One QEMU run (one boot); its serial console is kept in memory and in <dir>/<name>.console. */
export class QemuVm {
  readonly lines: ConsoleLine[] = [];
  readonly exit: Promise<number | null>;
  private readonly child: ChildProcess;
  private readonly started = Date.now();
  private readonly log: WriteStream;
  private readonly waiters: { re: RegExp; resolve: (l: ConsoleLine) => void }[] = [];

  constructor(bridgeNs: string, spec: VmSpec, boot: string) {
    mkdirSync(spec.dir, { recursive: true });
    const fw: string[] = [];
    let nicOpts = '';
    if (spec.firmware === 'uefi') {
      // A per-VM copy of the variable store: OVMF writes its boot entries there. The NIC has no option ROM
      // (romfile=), so OVMF's own UEFI PXE client runs (arch 7), not the ROM's iPXE.
      const vars = join(spec.dir, `${spec.name}.vars.fd`);
      if (!existsSync(vars)) copyFileSync(OVMF_VARS, vars);
      fw.push('-drive', `if=pflash,format=raw,unit=0,readonly=on,file=${OVMF_CODE}`);
      fw.push('-drive', `if=pflash,format=raw,unit=1,file=${vars}`);
      nicOpts = ',romfile=,bootindex=1';
    }
    const args = [
      'netns',
      'exec',
      bridgeNs,
      'timeout',
      '--kill-after=5',
      '300',
      'qemu-system-x86_64',
      '-machine',
      'q35',
      '-accel',
      'tcg',
      '-m',
      '256',
      '-smp',
      '1',
      '-nographic',
      '-no-reboot',
      '-uuid',
      spec.uuid,
      '-smbios',
      `type=1,serial=${spec.serial},manufacturer=eveboot-test`,
      ...fw,
      '-boot',
      'n',
      '-netdev',
      `tap,id=n0,ifname=${spec.tap},script=no,downscript=no`,
      '-device',
      `virtio-net-pci,netdev=n0,mac=${spec.mac}${nicOpts}`,
    ];
    this.log = createWriteStream(join(spec.dir, `${spec.name}-${boot}.console`));
    this.child = spawn('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let buf = '';
    const onData = (chunk: Buffer) => {
      buf += chunk.toString('latin1');
      for (let nl = buf.search(/[\r\n]/); nl >= 0; nl = buf.search(/[\r\n]/)) {
        const text = clean(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
        if (text.trim() !== '') this.push(text);
      }
    };
    this.child.stdout?.on('data', onData);
    this.child.stderr?.on('data', onData);
    this.exit = exited(this.child).then((code) => {
      if (buf.trim() !== '') this.push(clean(buf));
      this.log.end();
      return code;
    });
  }

  private push(text: string): void {
    const line = { t: (Date.now() - this.started) / 1000, text };
    this.lines.push(line);
    this.log.write(`[${line.t.toFixed(2).padStart(6)}] ${text}\n`);
    for (const w of [...this.waiters]) {
      if (!w.re.test(text)) continue;
      this.waiters.splice(this.waiters.indexOf(w), 1);
      w.resolve(line);
    }
  }

  /** First console line matching `re` (already printed or to come). */
  console(re: RegExp, ms: number): Promise<ConsoleLine> {
    const seen = this.lines.find((l) => re.test(l.text));
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no console line ${re} within ${ms} ms\n${this.tail()}`)), ms);
      this.waiters.push({
        re,
        resolve: (l) => {
          clearTimeout(t);
          resolve(l);
        },
      });
    });
  }

  /** QEMU's exit code, or an error with the console tail when it runs longer than `ms`. */
  async finished(ms: number): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`VM still running after ${ms} ms\n${this.tail()}`)), ms);
    });
    try {
      return await Promise.race([this.exit, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  tail(n = 25): string {
    return this.lines
      .slice(-n)
      .map((l) => `  [${l.t.toFixed(2)}] ${l.text}`)
      .join('\n');
  }

  /** SIGTERM to `timeout` (its pid is ours: `ip netns exec` execs), which forwards it to QEMU. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null || !this.child.pid) return;
    process.kill(this.child.pid, 'SIGTERM');
    const killed = await Promise.race([this.exit.then(() => true), delay(8000).then(() => false)]);
    if (!killed && this.child.exitCode === null) process.kill(this.child.pid, 'SIGKILL');
    await this.exit;
  }
}

/** Drops ANSI/VT100 sequences that SeaBIOS, iPXE and OVMF print, and other control characters. */
function clean(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping terminal escape sequences is the point
  return s.replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\x1b[=>c]/g, '').replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '');
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
