// Prometheus text exposition (version 0.0.4) of the appliance: nodes per phase, clusters per state, bytes served,
// DHCP/TFTP counters and errors, counted from the event log so a restart keeps the totals.
import type { HubSnapshot } from '../progress/hub.js';

export interface Counters {
  dhcpReplies: number;
  dhcpIgnored: number;
  dhcpMalformed: number;
  tftpTransfers: number;
  tftpBytes: number;
  tftpErrors: number;
  httpBytes: number;
  apiErrors: number;
}

export function emptyCounters(): Counters {
  return {
    dhcpReplies: 0,
    dhcpIgnored: 0,
    dhcpMalformed: 0,
    tftpTransfers: 0,
    tftpBytes: 0,
    tftpErrors: 0,
    httpBytes: 0,
    apiErrors: 0,
  };
}

/** Adds one event to the counters (pure; the caller keeps the result). */
export function countEvent(c: Counters, e: { type: string; data: object }): Counters {
  const data = e.data as Record<string, unknown>;
  const n = (k: string) => (typeof data[k] === 'number' ? (data[k] as number) : 0);
  switch (e.type) {
    case 'dhcp':
      return data.decision === 'reply'
        ? { ...c, dhcpReplies: c.dhcpReplies + 1 }
        : { ...c, dhcpIgnored: c.dhcpIgnored + 1 };
    case 'dhcp-malformed':
      return { ...c, dhcpMalformed: c.dhcpMalformed + 1 };
    case 'tftp':
      if (data.stage === 'finish')
        return { ...c, tftpTransfers: c.tftpTransfers + 1, tftpBytes: c.tftpBytes + n('bytes') };
      if (data.stage === 'abort') return { ...c, tftpErrors: c.tftpErrors + 1 };
      return c;
    case 'http.done':
      return { ...c, httpBytes: c.httpBytes + n('bytes') };
    default:
      return e.type.endsWith('.refused') || e.type.endsWith('.failed') ? { ...c, apiErrors: c.apiErrors + 1 } : c;
  }
}

export function renderMetrics(snap: HubSnapshot, c: Counters): string {
  const out: string[] = [];
  const metric = (name: string, help: string, type: 'gauge' | 'counter', rows: [string, number][]) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, v] of rows) out.push(`${name}${labels} ${v}`);
  };
  const phases = ['netboot', 'installing', 'onboarding', 'clustering', 'ready', 'failed', 'down'];
  metric(
    'eveboot_nodes',
    'Nodes per phase.',
    'gauge',
    phases.map((p) => [`{phase="${p}"}`, snap.nodes.filter((n) => n.phase === p).length]),
  );
  metric(
    'eveboot_cluster_ready',
    'Whether each cluster is ready (1) or not (0).',
    'gauge',
    snap.clusters.map((x) => [`{cluster="${x.cluster}",state="${x.state}"}`, x.kind === 'ready' ? 1 : 0]),
  );
  metric('eveboot_dhcp_replies_total', 'DHCP/proxyDHCP replies sent.', 'counter', [['', c.dhcpReplies]]);
  metric('eveboot_dhcp_ignored_total', 'DHCP packets not answered (with a reason in the log).', 'counter', [
    ['', c.dhcpIgnored],
  ]);
  metric('eveboot_dhcp_malformed_total', 'Malformed DHCP packets refused.', 'counter', [['', c.dhcpMalformed]]);
  metric('eveboot_tftp_transfers_total', 'TFTP transfers completed.', 'counter', [['', c.tftpTransfers]]);
  metric('eveboot_tftp_errors_total', 'TFTP transfers aborted.', 'counter', [['', c.tftpErrors]]);
  metric('eveboot_bytes_served_total', 'Bytes served, by protocol.', 'counter', [
    ['{protocol="tftp"}', c.tftpBytes],
    ['{protocol="http"}', c.httpBytes],
  ]);
  metric('eveboot_errors_total', 'Refused or failed requests and steps.', 'counter', [['', c.apiErrors]]);
  return `${out.join('\n')}\n`;
}
