// Which machines the DHCP server answers, from the site file: listed MACs (and soft serials, which name the boot
// NIC), everything when the site boots unknown machines, and everything when the site lists nodes by serial only
// (then the iPXE identity report decides, core/boot/decide.ts).
import { softSerialOf } from '../boot/identity.js';
import type { PolicyVerdict } from './decide.js';

export function sitePolicy(
  nodes: { mac?: string; softSerial?: string }[],
  unknownMachines: 'boot' | 'ignore',
): (mac: string) => PolicyVerdict {
  return (mac) => {
    // A node listed by soft serial names its boot NIC too: the install passes eve_soft_serial=<MAC, hexhyp>.
    const listed = nodes.some((n) => n.mac === mac || n.softSerial?.toLowerCase() === softSerialOf(mac));
    if (listed) return { allowed: true, reason: 'MAC listed in the site file' };
    if (unknownMachines === 'boot') return { allowed: true, reason: 'site boots unknown machines' };
    return nodes.some((n) => n.mac)
      ? { allowed: false, reason: 'MAC not in the site file (boot.unknownMachines: ignore)' }
      : { allowed: true, reason: 'the site lists nodes by serial only: the iPXE identity report decides' };
  };
}
