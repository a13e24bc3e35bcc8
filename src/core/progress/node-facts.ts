// What is known of one node whatever its phase (node-state.ts adds the phase). Its own file so that the hints
// (hints.ts), which node-state.ts uses, can read it without importing node-state.ts back.
import type { Download } from './download.js';
import type { Step } from './steps.js';

export interface NodeFacts {
  /** The device UUID once known, else `mac:<boot MAC>`. */
  key: string;
  macs: string[];
  serial?: string;
  uuid?: string;
  name?: string;
  via: 'pxe' | 'usb' | 'unknown';
  /** Hex hash of the TPM ECDH cert (never the token). */
  ecdhCertHash?: string;
  role?: 'seed' | 'joiner';
  clusterIp?: string;
  download: Download;
  steps: Step[];
  firstSeenAt: number;
  lastEventAt: number;
}
