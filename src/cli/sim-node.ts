// eveboot sim-node: ONE simulated EVE node in the current network namespace, against a running `eveboot serve`.
// It onboards with the site's onboarding cert (from the appliance's --state PKI, as CONFIG carries it), reports
// the namespace's real ports, and on its cluster config adds the cluster IP and runs the K3s stand-in there.
// One JSON object per line on stdout; the token never appears in it.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { onboardIssuer } from '../adapters/onboard-issuer.js';
import { loadPki } from '../adapters/pki.js';
import { createSoftTpm } from '../adapters/soft-tpm.js';
import { startSwtpm } from '../adapters/swtpm.js';
import { readFile } from '../core/disk/fat-read.js';
import type { Tpm } from '../ports/tpm.js';
import { SimDevice } from '../sim/eve-device.js';
import { appliedDeviceInfo, NetnsClusterSide, netbootOnNic, readNics } from '../sim/netns-node.js';
import { onboardingFrom } from '../sim/sim-firmware.js';
import { runSimNode } from '../sim/sim-node.js';
import { parse, required, UsageError } from './args.js';

const USAGE = `usage: eveboot sim-node (--server HOST:PORT | --netboot IF) --serial S [--soft-serial S] [--state DIR]
                        [--poll-ms MS] [--tpm soft|swtpm|none] [--tpm-dir DIR] [--k3s-delay-ms MS]
  --server HOST:PORT  the appliance's EVE controller (CONFIG server)
  --netboot IF        PXE-boot port IF first (DHCP 67/68, TFTP 69, iPXE over HTTP, the stand-in installer) and
                      onboard with the CONFIG from installer.iso (its server, root CA and onboarding credential)
  --serial S          the SMBIOS serial this node reports
  --soft-serial S     a soft serial (eve_soft_serial) instead of a usable SMBIOS serial (default: none)
  --state DIR         the appliance's state directory: root CA and onboarding cert/key (default ./eveboot-state)
  --poll-ms MS        how often the node polls the controller (default 2000)
  --tpm soft|swtpm|none  soft (default): decrypt the token in memory; swtpm: in a software TPM (state in
                      --tpm-dir); none: EVE without a TPM, whose attestation sends an empty quote
  --tpm-dir DIR       swtpm state directory (required with --tpm swtpm)
  --k3s-delay-ms MS   the stand-in's start, ready, poll and join delays (default 1000)`;

export async function simNodeCommand(argv: string[], out: (s: string) => void): Promise<{ stop(): Promise<void> }> {
  const opts = {
    server: { type: 'string' as const },
    netboot: { type: 'string' as const },
    serial: { type: 'string' as const },
    'soft-serial': { type: 'string' as const, default: '' },
    state: { type: 'string' as const, default: 'eveboot-state' },
    'poll-ms': { type: 'string' as const, default: '2000' },
    tpm: { type: 'string' as const, default: 'soft' },
    'tpm-dir': { type: 'string' as const },
    'k3s-delay-ms': { type: 'string' as const, default: '1000' },
  };
  const { values } = parse(argv, opts, USAGE);
  const serial = required(values.serial, 'serial', USAGE);
  const pollMs = Number(values['poll-ms']);
  const delay = Number(values['k3s-delay-ms']);
  if (!(pollMs > 0) || !(delay >= 0)) throw new UsageError(`--poll-ms and --k3s-delay-ms must be numbers\n\n${USAGE}`);
  if (!['soft', 'swtpm', 'none'].includes(values.tpm)) {
    throw new UsageError(`--tpm must be soft, swtpm or none\n\n${USAGE}`);
  }
  const emit = (e: Record<string, unknown>) => out(JSON.stringify({ at: Date.now(), serial, ...e }));
  const abort = new AbortController();
  const installed = values.netboot ? await netbooted(values.netboot, serial, abort.signal, emit) : undefined;
  const tpm = values.tpm === 'swtpm' ? await swtpmIn(required(values['tpm-dir'], 'tpm-dir', USAGE)) : createSoftTpm();
  const device = new SimDevice({
    tpm,
    serial,
    measuredBoot: values.tpm !== 'none',
    ...(installed ??
      usbInstalled(required(values.server, 'server', USAGE), values.state, serial, values['soft-serial'])),
  });
  const cluster = new NetnsClusterSide(
    {
      uuid: () => device.uuid ?? '',
      delays: { startMs: delay, readyMs: delay, pollMs: delay, joinMs: delay },
      log: emit,
    },
    () => device.config,
  );
  const nics = readNics();
  emit({
    type: 'sim.nics',
    tpm: values.tpm === 'none' ? 'none' : tpm.kind,
    nics: nics.map(({ ifname, mac, up, ipv4, subnet }) => ({ ifname, mac, up, ipv4, subnet })),
  });
  const task = runSimNode(
    {
      device,
      nics,
      pollMs,
      log: (msg) => emit({ type: 'sim.log', msg }),
      onCluster: async (token, c, deviceName) => {
        emit({ type: 'sim.token.decrypted', uuid: device.uuid, deviceName, tokenChars: token.length });
        await cluster.apply(token, c, deviceName);
        // EVE reports the cluster IP in DevicePort.IPAddrs once it is on the port (eve-api-facts §5.5).
        await device.sendInfo(appliedDeviceInfo(serial, readNics(), device.config));
      },
      reports: () => cluster.reports(),
    },
    abort.signal,
  );
  return {
    stop: async () => {
      abort.abort();
      await task;
      await cluster.stop();
      await tpm.close();
    },
  };
}

/** A node installed from a USB stick: a per-medium credential, as `eveboot usb build` mints one. */
function usbInstalled(server: string, state: string, serial: string, softSerial: string) {
  const pki = loadPki(join(state, 'pki'));
  return {
    server,
    rootCaPem: pki.root.certPem,
    onboarding: () => onboardIssuer(pki.root)({ kind: 'medium', medium: `sim-node-${serial}` }),
    softSerial,
  };
}

/**
 * A node installed over the network: what it knows is the CONFIG it copied out of installer.iso (EVE's pkg/mkconf
 * names: server, root-certificate.pem, onboard.cert.pem/key.pem) and its eve_soft_serial. A boot that ends without
 * an install (held for the operator, say) falls back to the firmware boot order, which on a blank box comes round
 * to PXE again: so does this node, every RETRY_MS.
 */
async function netbooted(
  ifname: string,
  serial: string,
  signal: AbortSignal,
  emit: (e: Record<string, unknown>) => void,
) {
  for (;;) {
    const r = await netbootOnNic({ ifname, serial, signal, log: (msg) => emit({ type: 'sim.netboot', msg }) });
    emit({ type: 'sim.netboot.done', decision: r.decision, ip: r.ip, installed: r.installed });
    const config = r.config;
    if (config) {
      const text = (p: string) => new TextDecoder().decode(readFile(config, p)).trim();
      return {
        server: text('server'),
        rootCaPem: text('root-certificate.pem'),
        onboarding: async () => onboardingFrom(config),
        softSerial: r.softSerial ?? '',
      };
    }
    await sleep(RETRY_MS, undefined, { signal });
  }
}

const RETRY_MS = 2000;

/** swtpm keeps its NVRAM (and the persisted ECDH key) in dir, across restarts of this node. */
function swtpmIn(dir: string): Promise<Tpm> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return startSwtpm({ stateDir: dir });
}
