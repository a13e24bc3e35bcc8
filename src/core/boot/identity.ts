// The identity an iPXE script reports (/boot/report?…): parse the query into a BootIdentity and fold it into
// the machine record. iPXE expands unset settings to the empty string, so "" means "not reported".
import type { BootIdentity, BootMachine, NicReport } from '../../ports/boot-store.js';

const MAC_RE =
  /^([0-9a-f]{2})[:-]?([0-9a-f]{2})[:-]?([0-9a-f]{2})[:-]?([0-9a-f]{2})[:-]?([0-9a-f]{2})[:-]?([0-9a-f]{2})$/;

/** Lower-case colon form, or undefined when `s` is not a 48-bit MAC (accepts colons, hyphens or bare hex). */
export function normalizeMac(s: string | undefined): string | undefined {
  const m = MAC_RE.exec((s ?? '').trim().toLowerCase());
  return m ? m.slice(1, 7).join(':') : undefined;
}

/** EVE's soft serial of a netbooted box: its boot NIC's MAC as iPXE `${mac:hexhyp}` prints it (lower-case hex,
 *  hyphens), which EVE's ipxe.efi.cfg passes as eve_soft_serial= (pkg/eve/installer/ipxe.efi.cfg). */
export function softSerialOf(mac: string): string {
  return mac.toLowerCase().replace(/:/g, '-');
}

/** Is this controller device the machine that PXE-booted as `m`? By its SMBIOS serial, or, for a box without one,
 *  by the soft serial its install passed (eve_soft_serial=<boot NIC MAC, hexhyp>). */
export function isDeviceOf(d: { serial: string; softSerial?: string }, m: BootMachine): boolean {
  const s = m.identity.serial;
  return Boolean((s && d.serial === s) || (!d.serial && d.softSerial === softSerialOf(m.mac)));
}

/** Max iPXE interfaces we ask about (net0..net{MAX_NICS-1}); the script stops at the first unset one. */
export const MAX_NICS = 8;
const FIELD_MAX = 128;

type Query = Record<string, string | string[] | undefined>;

function field(q: Query, key: string): string | undefined {
  const v = q[key];
  const s = (Array.isArray(v) ? v[0] : v)?.trim();
  if (!s) return undefined;
  // SMBIOS strings are vendor-controlled: keep them printable and short before they reach logs and the UI.
  return s.replace(/[^\x20-\x7e]/g, '?').slice(0, FIELD_MAX);
}

/** `net3=52:54:00:12:34:56,up` → NicReport; malformed entries are dropped, not fatal. */
export function parseNics(q: Query): NicReport[] {
  const nics: NicReport[] = [];
  for (let i = 0; i < MAX_NICS; i++) {
    const raw = field(q, `net${i}`);
    if (!raw) continue;
    const [macText, linkText] = raw.split(',');
    const mac = normalizeMac(macText);
    if (!mac) continue;
    nics.push({ name: `net${i}`, mac, link: linkText === 'up' || linkText === 'down' ? linkText : 'unknown' });
  }
  return nics;
}

export function parseIdentity(q: Query): BootIdentity {
  // The NIC the script itself came over has link, whatever iflinkwait could tell.
  const bootMac = normalizeMac(field(q, 'mac'));
  const id: BootIdentity = { nics: parseNics(q).map((n) => (n.mac === bootMac ? { ...n, link: 'up' as const } : n)) };
  const uuid = field(q, 'uuid');
  if (uuid && /^[0-9a-fA-F-]{32,36}$/.test(uuid)) id.uuid = uuid.toLowerCase();
  for (const k of ['serial', 'manufacturer', 'product', 'buildarch', 'platform'] as const) {
    const v = field(q, k);
    if (v !== undefined) id[k] = v;
  }
  return id;
}

/** The machine record after an identity report (or a first sighting when `prev` is undefined). */
export function recordReport(
  prev: BootMachine | undefined,
  mac: string,
  identity: BootIdentity,
  ip: string | undefined,
  now: number,
): BootMachine {
  const next: BootMachine = prev
    ? { ...prev, identity, lastSeen: now }
    : { mac, identity, firstSeen: now, lastSeen: now, reinstall: false };
  if (ip) next.ip = ip;
  return next;
}

export function recordInstalled(m: BootMachine, via: BootMachine['installedVia'], now: number): BootMachine {
  return { ...m, installedAt: now, installedVia: via, reinstall: false, lastSeen: now };
}

/** The installer payload went out in full: a fresh install attempt is underway, the reinstall mark is used up. */
export function recordPayloadServed(m: BootMachine, now: number): BootMachine {
  return { ...m, payloadServedAt: now, reinstall: false };
}

/** After a decision: remember it; an install decision starts a new attempt (forget an earlier payload). */
export function recordDecision(
  m: BootMachine,
  d: { kind: string; reason: string; image?: { id: string } },
): BootMachine {
  const next: BootMachine = { ...m, lastDecision: d.kind, lastReason: d.reason };
  if (d.kind === 'install') {
    delete next.payloadServedAt;
    if (d.image) next.lastImage = d.image.id;
  }
  return next;
}

/** Operator mark: the next PXE boot installs again (true) or the mark is withdrawn (false). */
export function markReinstall(m: BootMachine, on: boolean): BootMachine {
  return { ...m, reinstall: on };
}
