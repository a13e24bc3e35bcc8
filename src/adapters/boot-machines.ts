// What the EVE controller and the operator need from the network-boot side, over its machine records
// (station.db): the install decision's onboarding grant, boot-side conflicts, and the operator's reinstall mark.
import type { Conflict } from '../core/boot/claims.js';
import type { BootStore } from '../ports/boot-store.js';
import type { Emit } from '../ports/events.js';
import type { Store } from '../ports/store.js';
import { reinstallDevice, resolveBootConflict } from './http/boot-machine-routes.js';

export interface BootMachines {
  /** Onboarding cert hash of the latest install decision for a boot MAC. */
  onboardGrant(mac: string): string | undefined;
  /** Boot-side conflicts: a MAC claimed from two IPs. */
  conflicts(): { mac: string; conflict: Conflict }[];
  /** The operator's choice of IP in a boot-side conflict. */
  resolve(mac: string, ip: string): Conflict;
  /** The device's machine installs again on its next PXE boot. */
  markReinstall(uuid: string): void;
}

export function bootMachines(bootStore: BootStore, devices: Pick<Store, 'deviceByUuid'>, emit: Emit): BootMachines {
  return {
    onboardGrant: (mac) => bootStore.machine(mac)?.grant?.onboardCertHash,
    conflicts: () => bootStore.machines().flatMap((m) => (m.conflict ? [{ mac: m.mac, conflict: m.conflict }] : [])),
    resolve: (mac, ip) => resolveBootConflict(bootStore, mac, ip),
    markReinstall(uuid) {
      reinstallDevice(bootStore, emit, uuid, devices.deviceByUuid(uuid));
    },
  };
}
