// Confines a requested TFTP file name to the boot root. Pure string checks; the adapter adds the
// symlink check (realpath) because that needs the file system.

export type PathDecision = { kind: 'ok'; path: string } | { kind: 'refuse'; reason: string };

// Escapes for '.', '/', '\', NUL and '%' itself (double encoding). TFTP servers do not URL-decode, but
// a later HTTP or script layer might, so such names are never legitimate boot files.
const encodedTraversal = /%(2e|2f|5c|00|25)/i;

/** Returns the normalised root-relative path ('a/b.efi' for 'a/b.efi' or '/a/b.efi') or why it is refused (ERROR 2). */
export function confinePath(requested: string): PathDecision {
  if (requested.length === 0) return { kind: 'refuse', reason: 'empty file name' };
  if (requested.includes('\0')) return { kind: 'refuse', reason: 'NUL in file name' };
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what we refuse
  if (/[\x01-\x1f\x7f]/.test(requested)) return { kind: 'refuse', reason: 'control character in file name' };
  // Windows-style names (some WDS/pxelinux setups send '\boot\x86\...') are refused rather than rewritten.
  if (requested.includes('\\')) return { kind: 'refuse', reason: 'backslash in file name' };
  if (encodedTraversal.test(requested)) return { kind: 'refuse', reason: 'percent-encoded separator in file name' };
  if (/^[a-z]:/i.test(requested)) return { kind: 'refuse', reason: 'drive-letter path' };
  // A leading '/' names the boot root, as dnsmasq and tftpd-hpa --secure read it: GRUB asks for
  // '/EFI/BOOT/grub.cfg' (its prefix is '(tftp,<server>)/EFI/BOOT'). Empty segments drop below, so the
  // name stays confined to the root.
  const segments: string[] = [];
  for (const seg of requested.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') return { kind: 'refuse', reason: "'..' in file name" };
    segments.push(seg);
  }
  if (segments.length === 0) return { kind: 'refuse', reason: 'no file name' };
  return { kind: 'ok', path: segments.join('/') };
}
