// eveboot report: one record per device (serial, MACs, UUIDs, cert hashes, cluster, role, cluster IP and
// interface, timings per step, result, station) as JSON or CSV, from the state directory or database.
// --include-escrow adds each device's escrowed vault key (as the controller of record hands it over); without
// the flag no report carries it.
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../adapters/open-store.js';
import { openSecretBox } from '../adapters/secret-box.js';
import { clusterSpecs, loadSite } from '../config/site.js';
import { openEscrow } from '../core/eve/escrow.js';
import { foldEvents } from '../core/progress/snapshot.js';
import { buildReports } from '../core/report/build.js';
import { type DeviceReport, reportCsv } from '../core/report/device-record.js';
import { readWorkloads } from '../core/workloads/read-workloads.js';
import { rememberedWorkloadSpecs } from '../core/workloads/remember-spec.js';
import type { EventStore } from '../ports/store.js';
import { parse, UsageError } from './args.js';

const USAGE = `usage: eveboot report [--state DIR] [--state-url URL] [--format json|csv] [--out FILE] [--station ID]
                      [--site FILE] [--include-escrow]
  --state DIR       state directory (default ./eveboot-state)
  --state-url URL   read a shared PostgreSQL state instead of SQLite in --state
  --format F        json (default) or csv
  --out FILE        write to FILE instead of stdout
  --station ID      station id in each record (default: the host name)
  --site FILE       read the workloads from this site file instead of the ones the appliance last served (each
                    record lists the apps designated to or running on its device: designated and effective
                    node, state, moves)
  --include-escrow  add each device's escrowed vault key blobs (sensitive: handle the file as a secret)`;

export function allEvents(store: EventStore) {
  const out = [];
  for (let batch = store.events(0, 5000), last = 0; batch.length > 0; batch = store.events(last, 5000)) {
    out.push(...batch);
    last = batch[batch.length - 1]!.id;
  }
  return out;
}

export function reportCommand(argv: string[], out: (s: string) => void): number {
  const { values } = parse(
    argv,
    {
      state: { type: 'string', default: 'eveboot-state' },
      'state-url': { type: 'string' },
      format: { type: 'string', default: 'json' },
      out: { type: 'string' },
      station: { type: 'string' },
      site: { type: 'string' },
      'include-escrow': { type: 'boolean', default: false },
    },
    USAGE,
  );
  if (values.format !== 'json' && values.format !== 'csv') throw new UsageError(USAGE);
  const store = openStore(values['state-url'] ?? join(values.state, 'eveboot.db'));
  try {
    const now = Date.now();
    const nodes = foldEvents(allEvents(store), { now }).nodes;
    // Without --site, the workloads the appliance last served (remembered in the state).
    const specs = values.site ? clusterSpecs(loadSite(values.site)) : rememberedWorkloadSpecs(store);
    const workloads = specs.map((s) => readWorkloads(store, s, now)).filter((w) => w !== undefined);
    let rows: DeviceReport[] = buildReports(store, nodes, values.station ?? hostname(), workloads);
    if (values['include-escrow']) {
      const secrets = openSecretBox(join(values.state, 'keys', 'state.key'));
      rows = rows.map((r) => {
        const escrow = store.deviceByUuid(r.eveUuid)?.escrow;
        return { ...r, escrow: escrow ? openEscrow(escrow, secrets) : [] };
      });
    }
    const text = values.format === 'csv' ? reportCsv(rows) : `${JSON.stringify(rows, null, 2)}\n`;
    if (values.out) writeFileSync(values.out, text);
    else out(text.trimEnd());
    return 0;
  } finally {
    store.close();
  }
}
