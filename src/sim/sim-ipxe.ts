// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} in comments is iPXE settings syntax
// iPXE's half of a simulated netboot, once it has an address: the HTTP chain, run by a small interpreter of the
// iPXE commands our scripts use (identity report, decision, kernel + initrd downloads at a realistic rate,
// `boot`), and then the stand-in installer (CONFIG from the config.img inside installer.iso, /boot/installed).
import { type IncomingMessage, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { runStandInInstaller } from './sim-installer.js';

export interface StepTiming {
  step: 'dhcp' | 'tftp' | 'ipxe-dhcp' | 'script' | 'download' | 'install';
  ms: number;
}

export interface IpxeChainOptions {
  /** Source address of every request: the address iPXE got from DHCP. */
  localAddress: string;
  signal: AbortSignal;
  rateBytesPerSec?: number;
  smbiosUuid: string;
  serial: string;
  manufacturer?: string;
  product?: string;
  bootMac: string;
  nics: { mac: string; up: boolean }[];
  installMs?: number;
  log: (m: string) => void;
  mark?: (step: StepTiming['step'], ms: number) => void;
}

export interface IpxeChainResult {
  decision: string | undefined;
  installed: boolean;
  efi: boolean;
  bytes: number;
  error: string | undefined;
  /** The CONFIG image the stand-in installer took from inside installer.iso (sim-installer.ts). */
  config?: Uint8Array;
  /** eve_soft_serial the install passed (the booting NIC's MAC, hexhyp): the soft serial the device registers with. */
  softSerial?: string;
}

/**
 * iPXE's half of a netboot once it has an address: `chain` the script URL from its DHCP answer and run what
 * the appliance answers, through the stand-in installer. The EVE-code peer (test/e2e/eve-peer*) takes its
 * CONFIG from here, so it gets exactly what the appliance serves a booting machine.
 */
export async function ipxeChain(scriptUrl: string, o: IpxeChainOptions): Promise<IpxeChainResult> {
  const run = new SimIpxe({
    http: { localAddress: o.localAddress, signal: o.signal, rate: o.rateBytesPerSec ?? 20e6 },
    settings: {
      uuid: o.smbiosUuid.toLowerCase(),
      serial: o.serial,
      manufacturer: o.manufacturer ?? 'eveboot-sim',
      product: o.product ?? 'sim-node',
      buildarch: 'x86_64',
      platform: 'efi',
    },
    bootMac: o.bootMac,
    nics: o.nics,
    installMs: o.installMs ?? 1500,
    log: o.log,
    mark: o.mark ?? (() => {}),
  });
  await run.chain(scriptUrl);
  return run;
}

// ---- HTTP as iPXE does it: plain GET, Content-Length honoured, artifacts at the configured rate ----

interface HttpClient {
  localAddress: string;
  signal: AbortSignal;
  rate: number;
}

function get(h: HttpClient, url: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const headers = { 'user-agent': 'iPXE/1.0.0+git-20190125 (eveboot sim)' };
    const req = request(url, { localAddress: h.localAddress, signal: h.signal, agent: false, headers }, resolve);
    req.on('error', (e) => reject(new Error(`GET ${url}: ${e.message}`)));
    req.end();
  });
}

/** Reads the whole body, at most `rate` bytes/s when `throttle`; fails on a non-200 or a short body. */
async function fetchBody(h: HttpClient, url: string, throttle?: (got: number, total: number) => void) {
  const res = await get(h, url);
  const chunks: Buffer[] = [];
  const total = Number(res.headers['content-length'] ?? Number.NaN);
  const t0 = performance.now();
  let got = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    got += chunk.length;
    if (!throttle || res.statusCode !== 200) chunks.push(chunk);
    if (!throttle || res.statusCode !== 200) continue;
    const ahead = t0 + (got / h.rate) * 1000 - performance.now();
    if (ahead > 4) await sleep(ahead, undefined, { signal: h.signal });
    throttle(got, total);
  }
  const body = Buffer.concat(chunks);
  if (res.statusCode !== 200) throw new Error(`GET ${url}: HTTP ${res.statusCode} ${body.toString().slice(0, 300)}`);
  if (Number.isFinite(total) && got !== total) throw new Error(`GET ${url}: ${got} bytes, Content-Length ${total}`);
  return { body, bytes: got };
}

/** Throttled artifact download with a progress line (bar, rate, ETA) about once a second. */
async function download(h: HttpClient, url: string, log: (m: string) => void): Promise<number> {
  const name = url.slice(url.lastIndexOf('/') + 1);
  const t0 = performance.now();
  let next = t0 + 1000;
  const { bytes } = await fetchBody(h, url, (got, total) => {
    const now = performance.now();
    if (now < next || got === total) return;
    next = now + 1000;
    const rate = got / ((now - t0) / 1000);
    const pct = total ? got / total : 0;
    const bar = '#'.repeat(Math.round(pct * 20)).padEnd(20, '.');
    log(
      `${name} [${bar}] ${(pct * 100).toFixed(0)}% ${mib(got)}/${mib(total)} MiB ${mib(rate)} MiB/s ETA ${((total - got) / rate).toFixed(1)} s`,
    );
  });
  log(`${name}: ${mib(bytes)} MiB in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return bytes;
}

const mib = (n: number) => (n / 2 ** 20).toFixed(1);

// ---- The iPXE commands eveboot's scripts use (src/core/boot/ipxe-script.ts), with iPXE's semantics ----

interface IpxeRun {
  http: HttpClient;
  /** SMBIOS and build settings: ${uuid}, ${serial}, ${buildarch}, … */
  settings: Record<string, string>;
  bootMac: string;
  nics: { mac: string; up: boolean }[];
  installMs: number;
  log: (m: string) => void;
  mark: (step: StepTiming['step'], ms: number) => void;
}

type CmdResult = boolean | { goto: string } | { exit: number };

class SimIpxe {
  decision: string | undefined;
  booted = false;
  installed = false;
  config: Uint8Array | undefined;
  softSerial: string | undefined;
  /** Booted an EFI image (EVE's GRUB) instead of the kernel stand-in. */
  efi = false;
  bytes = 0;
  error: string | undefined;
  private kernel: { url: string; args: string[] } | undefined;
  private readonly vars: Map<string, string>;
  private readonly t0 = performance.now();

  constructor(private readonly r: IpxeRun) {
    this.vars = new Map(Object.entries(r.settings));
    for (const [i, n] of r.nics.entries()) this.vars.set(`net${i}/mac`, n.mac);
    this.vars.set('netX/mac', r.bootMac);
  }

  /** `chain URL`: a script runs nested (its `exit` returns here); anything else is an EFI image started at once. */
  async chain(url: string, depth = 0): Promise<CmdResult> {
    if (depth > 4) throw new Error(`chain depth exceeded at ${url}`);
    const text = (await fetchBody(this.r.http, url)).body.toString('latin1');
    if (!text.startsWith('#!ipxe')) return this.bootEfi(url);
    const decision = /^# eveboot decision for \S+: (\S+)/m.exec(text);
    if (decision) {
      this.decision = decision[1];
      this.r.mark('script', Math.round(performance.now() - this.t0));
    }
    const lines = text.split('\n').map((l) => l.trim());
    for (let pc = 0; pc < lines.length && !this.booted; pc++) {
      const line = lines[pc]!;
      if (line === '' || line.startsWith('#') || line.startsWith(':')) continue;
      const res = await this.line(line.split(/\s+/), depth);
      if (typeof res === 'boolean') continue;
      if ('exit' in res) return res.exit === 0;
      pc = lines.indexOf(`:${res.goto}`);
      if (pc < 0) throw new Error(`goto ${res.goto}: no such label`);
    }
    return true;
  }

  /** iPXE: `a && b || c` runs b after a succeeds and c after a or b fails; a trailing `||` swallows failure. */
  private async line(tokens: string[], depth: number): Promise<CmdResult> {
    let ok: CmdResult = false;
    for (const alt of split(tokens, '||')) {
      for (const cmd of split(alt, '&&')) {
        ok = cmd.length === 0 || (await this.command(cmd, depth));
        if (ok !== true) break;
      }
      if (ok !== false) return ok;
    }
    return ok;
  }

  private async command([name, ...raw]: string[], depth: number): Promise<CmdResult> {
    const w = raw
      .filter((a, i) => !a.startsWith('--') && !/^--(name|timeout)$/.test(raw[i - 1] ?? ''))
      .map((a) => this.expand(a));
    try {
      switch (name) {
        case 'set':
          this.vars.set(w[0] ?? '', w.slice(1).join(' '));
          return true;
        case 'isset':
          return (w[0] ?? '') !== '';
        case 'iflinkwait':
          return this.r.nics[Number(/^net(\d+)$/.exec(w[0] ?? '')?.[1] ?? -1)]?.up === true;
        case 'goto':
          return { goto: w[0] ?? '' };
        case 'exit':
          return { exit: Number(w[0] ?? 0) };
        case 'echo':
          this.r.log(`iPXE: ${w.join(' ')}`);
          return true;
        case 'sleep': // a tenth of the time: the demo does not wait out iPXE's retry pauses in full
          await sleep(Number(w[0] ?? 0) * 100, undefined, { signal: this.r.http.signal });
          return true;
        case 'chain':
          return await this.chain(w[0]!, depth + 1);
        case 'imgfetch':
          await fetchBody(this.r.http, w[0]!);
          return true;
        case 'imgfree':
          return true;
        case 'kernel':
        case 'initrd':
          return await this.load(name, w);
        case 'boot':
          return this.kernel ? await this.bootKernel(this.kernel.args) : false;
        case 'sanboot':
          this.r.log('iPXE: sanboot → local disk');
          this.booted = true;
          return true;
        default:
          throw new Error('not an iPXE command this simulator knows');
      }
    } catch (e) {
      if (this.r.http.signal.aborted) throw e;
      this.error = `${name} ${w[0] ?? ''}: ${(e as Error).message}`;
      this.r.log(`iPXE: ${this.error}`);
      return false;
    }
  }

  /** ${name} and ${name:uristring}; unset settings expand to "" as in iPXE. */
  private expand(s: string): string {
    return s.replace(/\$\{([^}:]+)(?::([a-z]+))?\}/g, (_m, name: string, type?: string) => {
      const v = this.vars.get(name) ?? '';
      return type === 'uristring' ? encodeURIComponent(v) : v;
    });
  }

  private async load(name: 'kernel' | 'initrd', w: string[]): Promise<CmdResult> {
    const t0 = performance.now();
    this.bytes += await download(this.r.http, w[0]!, this.r.log);
    this.r.mark('download', Math.round(performance.now() - t0));
    if (name === 'kernel') this.kernel = { url: w[0]!, args: w.slice(1) };
    return true;
  }

  /** The stand-in installer (sim-installer.ts), CONFIG from inside installer.iso as EVE's installer reads it. */
  private async bootKernel(args: string[]): Promise<CmdResult> {
    this.booted = true;
    const t0 = performance.now();
    const done = await runStandInInstaller(args, {
      fetch: async (url) => {
        const { body } = await fetchBody(this.r.http, url);
        if (/\/installer\.iso(\?|$)/.test(url)) this.bytes += body.length; // an artifact; the callback is not
        return body;
      },
      writeDisk: () => sleep(this.r.installMs, undefined, { signal: this.r.http.signal }),
      log: this.r.log,
    });
    this.config = done.config;
    this.softSerial = done.softSerial;
    this.installed = true;
    this.r.mark('install', Math.round(performance.now() - t0));
    this.r.log('installer: reported installed; powering off');
    return true;
  }

  /** EVE's real netboot: GRUB (the EFI image) loop-mounts installer.iso over HTTP. It has no installed callback;
   *  the appliance counts a full installer.iso download as installed (core/boot/decide.ts). */
  private async bootEfi(url: string): Promise<CmdResult> {
    this.booted = true;
    this.efi = true;
    this.r.log(`iPXE: started EFI image ${url}; GRUB fetches installer.iso`);
    this.bytes += await download(this.r.http, new URL('/installer.iso', url).href, this.r.log);
    return true;
  }
}

function split(tokens: string[], op: string): string[][] {
  const out: string[][] = [[]];
  for (const t of tokens)
    if (t === op) out.push([]);
    else out[out.length - 1]!.push(t);
  return out;
}
