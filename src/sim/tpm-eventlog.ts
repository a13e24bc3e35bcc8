// A measured-boot event log as UEFI firmware leaves it in /sys/kernel/security/tpm0/binary_bios_measurements
// (which EVE gzips into ZAttestQuote.tpm_binary_event_log), and the PCR values that replaying it gives. Format:
// TCG PC Client Platform Firmware Profile §10: the first event is SHA1-format (TCG_PCClientPCREvent, EV_NO_ACTION)
// carrying TCG_EfiSpecIDEvent "Spec ID Event03"; every later one is crypto-agile TCG_PCR_EVENT2. Little-endian.
import { createHash } from 'node:crypto';

/** TCG event types (PC Client PFP §10.4.1). */
export enum TcgEventType {
  EV_NO_ACTION = 0x3,
  EV_SEPARATOR = 0x4,
  EV_S_CRTM_VERSION = 0x8,
  EV_IPL = 0xd,
  EV_EFI_VARIABLE_DRIVER_CONFIG = 0x80000001,
  EV_EFI_BOOT_SERVICES_APPLICATION = 0x80000003,
  EV_EFI_PLATFORM_FIRMWARE_BLOB = 0x80000008,
}

/** TPM_ALG_SHA256 (TPM 2.0 Part 2 §6.3). */
export const TPM_ALG_SHA256 = 0x000b;

export interface MeasuredEvent {
  pcr: number;
  type: TcgEventType;
  /** The event data; its SHA-256 is what gets extended (for these event types). */
  data: Uint8Array;
}

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
};
const u16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
};
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest();

/** The boot an OVMF + GRUB + EVE machine measures: firmware, Secure Boot state, separators, GRUB, its commands. */
export function ovmfBootEvents(eveVersion: string): MeasuredEvent[] {
  const text = (s: string) => new Uint8Array(Buffer.from(`${s}\0`, 'utf8'));
  const separators = [0, 1, 2, 3, 4, 5, 6, 7].map((pcr) => ({
    pcr,
    type: TcgEventType.EV_SEPARATOR,
    data: new Uint8Array(4),
  }));
  return [
    { pcr: 0, type: TcgEventType.EV_S_CRTM_VERSION, data: new Uint8Array(Buffer.from('0\0', 'utf16le')) },
    { pcr: 0, type: TcgEventType.EV_EFI_PLATFORM_FIRMWARE_BLOB, data: new Uint8Array(16).fill(0x5a) },
    { pcr: 7, type: TcgEventType.EV_EFI_VARIABLE_DRIVER_CONFIG, data: text('SecureBoot=0') },
    ...separators,
    { pcr: 4, type: TcgEventType.EV_EFI_BOOT_SERVICES_APPLICATION, data: text('\\EFI\\BOOT\\BOOTX64.EFI') },
    { pcr: 8, type: TcgEventType.EV_IPL, data: text('grub_cmd: set_global eve_flavor k') },
    { pcr: 9, type: TcgEventType.EV_IPL, data: text(`/boot/kernel eve_version=${eveVersion}`) },
  ];
}

function specIdEvent(): Buffer {
  const event = Buffer.concat([
    Buffer.from('Spec ID Event03\0', 'latin1'),
    u32(0), // platformClass: client
    Buffer.from([0, 2, 0, 2]), // specVersionMinor 0, Major 2, errata 0, uintnSize 2 (UINT64)
    u32(1), // one algorithm: SHA-256, 32-byte digests
    u16(TPM_ALG_SHA256),
    u16(32),
    Buffer.from([0]), // no vendor info
  ]);
  return Buffer.concat([u32(0), u32(TcgEventType.EV_NO_ACTION), Buffer.alloc(20), u32(event.length), event]);
}

/** The binary log: Spec ID header, then one TCG_PCR_EVENT2 per event with its SHA-256 digest. */
export function encodeEventLog(events: MeasuredEvent[]): Uint8Array {
  const parts = [specIdEvent()];
  for (const e of events) {
    parts.push(u32(e.pcr), u32(e.type), u32(1), u16(TPM_ALG_SHA256), sha256(e.data), u32(e.data.length));
    parts.push(Buffer.from(e.data));
  }
  return new Uint8Array(Buffer.concat(parts));
}

/**
 * PCR 0–23 of the SHA-256 bank after these events: PCR[i] = SHA-256(PCR[i] || digest). PCRs 17–22 start as all
 * ones on a PC Client TPM without a dynamic launch (PC Client PTP §4.6), the others as zeros.
 */
export function replayPcrs(events: MeasuredEvent[]): Uint8Array[] {
  const pcrs = Array.from({ length: 24 }, (_, i) => Buffer.alloc(32, i >= 17 && i <= 22 ? 0xff : 0));
  for (const e of events) {
    if (e.type === TcgEventType.EV_NO_ACTION) continue;
    pcrs[e.pcr] = sha256(Buffer.concat([pcrs[e.pcr]!, sha256(e.data)]));
  }
  return pcrs.map((p) => new Uint8Array(p));
}
