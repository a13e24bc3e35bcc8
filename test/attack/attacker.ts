// The attacker of docs/concepts/security-model.md: on the boot LAN, any DHCP/TFTP/HTTP it likes, from its own
// address; it knows the site's serials and MACs; it has no operator token and no physical access to the appliance.
// On loopback every 127/8 address is local, so "its own address" is a source address no node leased.
import { request } from 'node:http';

export interface Answer {
  status: number;
  body: string;
}

/** GET from a chosen source address, as a box on the same segment would send it. */
export function getFrom(localAddress: string, url: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { localAddress, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('latin1') }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** An identity report in the form our iPXE script sends it (core/boot/ipxe-script.ts). */
export function reportUrl(base: string, q: Record<string, string>): string {
  const full = { uuid: '', manufacturer: 'evil', product: 'box', buildarch: 'x86_64', platform: 'efi', ...q };
  return `${base}/boot/report?${new URLSearchParams(full).toString()}`;
}
