// FAT names: 8.3 short names, VFAT long-name (LFN) entries and their checksum, and DOS dates
// (fatgen103 §6–7 "FAT Long Directory Entries", "Directory Entry Time and Date").
import { DiskError } from './disk-error.js';

export const ATTR_READ_ONLY = 0x01;
export const ATTR_VOLUME_ID = 0x08;
export const ATTR_DIRECTORY = 0x10;
export const ATTR_ARCHIVE = 0x20;
export const ATTR_LFN = 0x0f;
/** NTRes (byte 12) bits Windows NT and Linux use to show an all-lowercase base or extension without an LFN. */
const NT_LOWER_BASE = 0x08;
const NT_LOWER_EXT = 0x10;

const SHORT_OK = /^[A-Z0-9$%'\-_@~`!(){}^#&]$/;
const longBad = (c: string) => c.charCodeAt(0) < 0x20 || '"*/:<>?\\|'.includes(c);

export function checkLongName(name: string): void {
  const bad =
    name === '' || name === '.' || name === '..' || name.length > 255 || [...name].some(longBad) || /[. ]$/.test(name);
  if (bad) throw new DiskError('EVEBOOT_ERR_DISK_MALFORMED', `"${name}" is not a valid FAT file name`);
}

/** The 11-byte on-disk short name shown as "BASE.EXT", honouring the NT lowercase bits. */
export function shortNameText(raw: Uint8Array, ntRes = 0): string {
  const chars = Array.from(raw, (c, i) => (i === 0 && c === 0x05 ? 0xe5 : c)); // 0x05 stands for a leading 0xE5
  let base = String.fromCharCode(...chars.slice(0, 8)).trimEnd();
  let ext = String.fromCharCode(...chars.slice(8, 11)).trimEnd();
  if (ntRes & NT_LOWER_BASE) base = base.toLowerCase();
  if (ntRes & NT_LOWER_EXT) ext = ext.toLowerCase();
  return ext ? `${base}.${ext}` : base;
}

export function lfnChecksum(raw: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < 11; i++) sum = (((sum & 1) << 7) + (sum >> 1) + raw[i]!) & 0xff;
  return sum;
}

const pad = (s: string, n: number) => s.padEnd(n, ' ');
const asRaw = (base: string, ext: string) => Uint8Array.from(pad(base, 8) + pad(ext, 3), (c) => c.charCodeAt(0));

/** The exact 8.3 form of a name, if it has one (ignoring case). */
function exact83(name: string): { base: string; ext: string } | undefined {
  const m = /^([^.]{1,8})(?:\.([^.]{1,3}))?$/.exec(name.toUpperCase());
  if (!m || ![...m[1]!, ...(m[2] ?? '')].every((c) => SHORT_OK.test(c))) return undefined;
  return { base: m[1]!, ext: m[2] ?? '' };
}

/**
 * Picks the short name for a long name (fatgen103 §7 "basis-name generation" with the numeric tail), avoiding the
 * short names already in the directory. An LFN is needed whenever the short name does not spell the name exactly.
 */
export function makeShortName(name: string, taken: Set<string>): { raw: Uint8Array; needsLfn: boolean } {
  const key = (r: Uint8Array) => String.fromCharCode(...r);
  const exact = exact83(name);
  if (exact) {
    const raw = asRaw(exact.base, exact.ext);
    if (!taken.has(key(raw))) return { raw, needsLfn: name !== shortNameText(raw) };
  }
  const clean = (s: string) =>
    [...s.toUpperCase()]
      .filter((c) => c !== ' ' && c !== '.')
      .map((c) => (SHORT_OK.test(c) ? c : '_'))
      .join('');
  const stripped = name.replace(/^\.+/, '');
  const dot = stripped.lastIndexOf('.');
  const base = clean(dot > 0 ? stripped.slice(0, dot) : stripped) || '_';
  const ext = dot > 0 ? clean(stripped.slice(dot + 1)).slice(0, 3) : '';
  for (let n = 1; n < 1_000_000; n++) {
    const tail = `~${n}`;
    const raw = asRaw(base.slice(0, 8 - tail.length) + tail, ext);
    if (!taken.has(key(raw))) return { raw, needsLfn: true };
  }
  throw new DiskError('EVEBOOT_ERR_DISK_FULL', `no free short name for "${name}"`);
}

/** LFN slots for `name`, in on-disk order (highest ordinal first), each 32 bytes. */
export function lfnSlots(name: string, checksum: number): Uint8Array[] {
  const units = Array.from({ length: name.length }, (_, i) => name.charCodeAt(i));
  const count = Math.ceil(units.length / 13);
  const padded = [...units];
  if (padded.length < count * 13) padded.push(0x0000); // NUL terminator, then 0xFFFF fill
  while (padded.length < count * 13) padded.push(0xffff);
  const slots: Uint8Array[] = [];
  for (let ord = count; ord >= 1; ord--) {
    const s = new Uint8Array(32);
    const v = new DataView(s.buffer);
    s[0] = ord | (ord === count ? 0x40 : 0);
    s[11] = ATTR_LFN;
    s[13] = checksum;
    const part = padded.slice((ord - 1) * 13, ord * 13);
    const at = [1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30];
    for (const [i, u] of part.entries()) v.setUint16(at[i]!, u, true);
    slots.push(s);
  }
  return slots;
}

/** The 13 UTF-16 units of one LFN slot, up to the NUL terminator. */
export function lfnPart(slot: Uint8Array): string {
  const v = new DataView(slot.buffer, slot.byteOffset, 32);
  let s = '';
  for (const at of [1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30]) {
    const u = v.getUint16(at, true);
    if (u === 0x0000 || u === 0xffff) break;
    s += String.fromCharCode(u);
  }
  return s;
}

/** DOS date and time words (UTC fields; 2-second resolution; years clamp to 1980–2107). */
export function dosDateTime(t: Date): { date: number; time: number } {
  const year = Math.min(Math.max(t.getUTCFullYear(), 1980), 2107);
  const date = ((year - 1980) << 9) | ((t.getUTCMonth() + 1) << 5) | t.getUTCDate();
  const time = (t.getUTCHours() << 11) | (t.getUTCMinutes() << 5) | (t.getUTCSeconds() >> 1);
  return { date, time };
}
