// What happened and what to do, per step: the words the person on site reads on a node card. Each hint names the
// observation it rests on (a stall is "nothing seen for N s", never a guess about the cause).
import { viewDownload } from './download.js';
import type { NodeFacts } from './node-facts.js';
import type { StepId } from './steps.js';

export interface Hint {
  what: string;
  todo: string;
  code?: string;
}

/**
 * The stall EVE hides: the config with the sealed token went out and the node shows no cluster activity. A token
 * that does not decrypt is silent on the device: pkg/pillar/cipher/cipher.go swallows the error, the token becomes
 * empty and kube-init waits forever on "EncryptedClusterToken is empty" (eve-conformance §3).
 */
export const NO_CLUSTER_ACTIVITY = 'no-cluster-activity';

const who = (n: Pick<NodeFacts, 'name' | 'serial' | 'macs' | 'key'>) => n.name ?? n.serial ?? n.macs[0] ?? n.key;

export function failureHint(step: StepId, detail: string): Hint {
  switch (step) {
    case 'tftp':
      return {
        what: `TFTP transfer failed: ${detail}`,
        todo: 'check that UDP 69 and high UDP ports are not filtered between the machine and the appliance; the firmware retries on its next PXE boot',
      };
    case 'identity':
      return detail === 'ignored'
        ? {
            what: 'the appliance did not boot this machine: it is not approved for this site',
            todo: 'approve it in the UI, or add its serial or MAC to the site file, then power-cycle it',
          }
        : {
            what: 'this machine cannot be installed with the imported EVE release (architecture or firmware)',
            todo: 'import an EVE release for its architecture, or switch the firmware to UEFI, then power-cycle it',
          };
    case 'attested':
      return {
        what: `attestation refused (${detail || 'no code'})`,
        todo: 'check that the TPM is enabled in the firmware; if it was cleared, mark the node for reinstall',
      };
    default:
      return { what: detail, todo: 'see the event log for this node' };
  }
}

export function bootHint(kind: 'down', n: NodeFacts): Hint {
  void kind;
  return {
    what: `${who(n)} was ready and stopped answering (no :12346/status, no /ping, EVE no longer reports it READY)`,
    todo: `check the power and the cluster cable of ${who(n)}; with the other two up the cluster keeps quorum`,
  };
}

/** A stall on `step`, seen `seconds` after the node last moved. */
export function stallHint(step: StepId, n: NodeFacts, seconds: number): Hint {
  const s = `${seconds} s`;
  switch (step) {
    case 'dhcp':
      return {
        what: `no DHCP reply seen for ${n.macs[0] ?? who(n)} for ${s}`,
        todo: 'check the cable and that PXE (network boot) is first in the boot order',
      };
    case 'tftp':
      return {
        what: `the boot file transfer over TFTP made no progress for ${s}`,
        todo: 'check that UDP 69 and high UDP ports reach the appliance; a firewall on the way often blocks TFTP',
      };
    case 'identity':
      return {
        what: `iPXE started but sent no identity report for ${s}`,
        todo: "check that the machine can reach the appliance's HTTP port (firewall, VLAN)",
      };
    case 'download': {
      const v = viewDownload(n.download);
      return {
        what: `the download stopped at ${v.percent}% (${v.bytes} of ${v.total} bytes) for ${s}`,
        todo: 'check the link (speed, duplex, cable); the installer restarts the download on the next PXE boot',
      };
    }
    case 'installer':
      return {
        what: `the installer has run for ${s} without EVE coming up`,
        todo: 'look at the console: the target disk may be missing or too small',
      };
    case 'installed':
      return {
        what: `the installer did not report completion for ${s}`,
        todo: 'look at the console; if the machine boots the network again, PXE is before the disk in the boot order',
      };
    case 'onboarded':
      return {
        what: `EVE is installed but has not contacted the controller for ${s}`,
        todo: 'check the management port cable and that the site LAN gives it an address by DHCP',
      };
    case 'attested':
      return {
        what: `attestation has not completed for ${s}`,
        todo: 'check that the TPM is enabled in the firmware',
      };
    case 'nics':
      return { what: `EVE has not reported its ports for ${s}`, todo: 'wait; if it persists, reboot the node' };
    case 'config':
      return {
        what: `no cluster config delivered for ${s}`,
        todo: 'see the cluster panel: planning waits for all three nodes and their ports',
      };
    case 'k3s-joined':
      return noClusterActivity(n, s);
    case 'ready':
      return {
        what: `joined but not ready for ${s} (/v1-k3s/readyz or EVE's READY condition missing)`,
        todo: 'wait for the control plane to settle; if it persists, check the clocks and disk space on the node',
      };
  }
}

function noClusterActivity(n: NodeFacts, s: string): Hint {
  const node = who(n);
  const seedFirst =
    n.role === 'seed'
      ? ''
      : ` A joiner starts K3s only once the seed answers: if the seed's card is stalled too, start there.`;
  return {
    code: NO_CLUSTER_ACTIVITY,
    what:
      `config with the sealed join token delivered to ${node} (${n.role ?? 'cluster'} role, cluster IP ` +
      `${n.clusterIp ?? '?'}) ${s} ago, and no cluster activity from it since (not an etcd member, no cluster:<id> ` +
      `on :12346/status)`,
    todo:
      `The token may not have decrypted on ${node}: EVE drops a decryption error silently and kube-init then waits ` +
      `forever on "EncryptedClusterToken is empty". Check: (1) the TPM is the one that made the ECDH cert this card ` +
      `shows (a cleared or swapped TPM, or a re-flashed node, has a new key: mark the node for reinstall so it ` +
      `onboards again and uploads its current cert); (2) on the node, the kube log in /persist/kubelog for ` +
      `"EncryptedClusterToken is empty" and zedkube's log for cipher errors; (3) its cluster cable and ` +
      `address ${n.clusterIp ?? ''}.${seedFirst}`,
  };
}
