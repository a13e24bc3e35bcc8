// Where DHCP leases survive a restart. Two methods: the core's LeaseTable is the working copy.
import type { Lease } from '../core/dhcp/lease.js';

export interface LeaseStore {
  /** Every stored entry (bound, offered or declined; expired ones included, so MACs get their old address back). */
  load(): Lease[];
  /** Insert or replace the entry for `lease.ip`. */
  save(lease: Lease): void;
}
