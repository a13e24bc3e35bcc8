// The `workloads:` section of a site file (issue #13): networks, volumes and apps for the ready cluster. The field
// checks live in the zod schema; workloadProblems adds what needs the whole section plus the cluster's nodes and
// prefix. Facts: ../shared/docs/eve-workloads-facts.md §2 (what EVE needs in each object).
import { z } from 'zod';
import { type Ipv4Prefix, parsePrefix, prefixesOverlap, usableHosts } from '../core/plan/ipv4.js';
import { imageProblems } from '../core/workloads/checks.js';
import type { ImageCatalog, WorkloadsSpec } from '../core/workloads/model.js';
import type { Site } from './site.js';

/** Object names: they become k8s name prefixes on EVE-k (§4.6) and parts of our UUID names, so no '/'. */
const objectName = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, 'may contain only lower-case letters, digits and -');

const network = z
  .object({
    name: objectName,
    kind: z.enum(['local', 'switch']),
    port: z.string().min(1).max(64),
    subnet: z.string().optional(),
  })
  .strict();

const volume = z
  .object({
    name: objectName,
    sizeBytes: z.number().int().min(1).optional(),
    image: z.string().min(1).optional(),
    replicated: z.boolean().default(true),
    node: z.string().min(1).optional(),
  })
  .strict()
  .refine((v) => (v.sizeBytes === undefined) !== (v.image === undefined), {
    message: 'give either sizeBytes (a blank volume) or image, not both and not neither',
  });

const app = z
  .object({
    name: objectName,
    kind: z.enum(['container', 'vm']),
    image: z.string().min(1),
    // EVE publishes an app with 0 vCPUs or 0 memory in ERROR (ZM zedmanager.go:1302-1309).
    vcpus: z.number().int().min(1, 'must be at least 1: EVE refuses an app with 0 vCPUs').max(256),
    memoryMiB: z.number().int().min(1, 'must be at least 1: EVE refuses an app with 0 memory').max(4194304),
    networks: z.array(z.string().min(1)).default([]),
    volumes: z.array(z.string().min(1)).default([]),
    node: z.string().min(1).default('auto'),
    affinity: z.enum(['preferred', 'required']).default('preferred'),
  })
  .strict();

export const workloadsSchema = z
  .object({
    networks: z.array(network).max(64).default([]),
    volumes: z.array(volume).max(1000).default([]),
    apps: z.array(app).max(1000).default([]),
  })
  .strict();

export interface WorkloadContext {
  /** The cluster's listed nodes; when none are listed, node names are checked at planning time. */
  nodes: { name?: string; serial?: string; softSerial?: string }[];
  prefix: string;
}

export interface Problem {
  path: (string | number)[];
  message: string;
}

const K3S = [
  { text: '10.42.0.0/16', why: 'K3s pods' },
  { text: '10.43.0.0/16', why: 'K3s services, which EVE routes to the cluster port' },
];

export function workloadProblems(w: WorkloadsSpec, ctx: WorkloadContext): Problem[] {
  const out: Problem[] = [];
  const dup = (kind: 'networks' | 'volumes' | 'apps', names: string[]) =>
    names.forEach((n, i) => {
      if (names.indexOf(n) !== i) out.push({ path: [kind, i, 'name'], message: `duplicate ${kind.slice(0, -1)} ${n}` });
    });
  dup(
    'networks',
    w.networks.map((n) => n.name),
  );
  dup(
    'volumes',
    w.volumes.map((v) => v.name),
  );
  dup(
    'apps',
    w.apps.map((a) => a.name),
  );
  out.push(...subnetProblems(w, ctx.prefix));
  const known = new Set(ctx.nodes.flatMap((n) => [n.name, n.serial, n.softSerial]).filter((x): x is string => !!x));
  const nodeKnown = (ref: string) => ref === 'auto' || ctx.nodes.length === 0 || known.has(ref);
  w.volumes.forEach((v, i) => {
    if (v.node && (v.node === 'auto' || !nodeKnown(v.node)))
      out.push({ path: ['volumes', i, 'node'], message: `no node ${v.node} in this cluster's nodes` });
  });
  w.apps.forEach((a, i) => {
    if (!nodeKnown(a.node))
      out.push({ path: ['apps', i, 'node'], message: `no node ${a.node} in this cluster's nodes` });
    a.networks.forEach((n, k) => {
      if (!w.networks.some((x) => x.name === n))
        out.push({ path: ['apps', i, 'networks', k], message: `no network ${n} in workloads.networks` });
    });
    a.volumes.forEach((vname, k) => {
      const v = w.volumes.find((x) => x.name === vname);
      if (!v) {
        out.push({ path: ['apps', i, 'volumes', k], message: `no volume ${vname} in workloads.volumes` });
        return;
      }
      if (v.replicated || !v.node || a.node === 'auto' || sameNode(ctx, v.node, a.node)) return;
      // A required app never fails over (§4.2), and a non-replicated volume exists only on its own node.
      if (a.affinity === 'required') {
        out.push({
          path: ['apps', i, 'volumes', k],
          message: `required app ${a.name} runs on ${a.node} but volume ${vname} is not replicated and lives on ${v.node}`,
        });
      }
    });
    if (a.networks.length === 0 && a.kind === 'container') {
      out.push({ path: ['apps', i, 'networks'], message: 'a container app needs at least one network' });
    }
  });
  return out;
}

function sameNode(ctx: WorkloadContext, a: string, b: string): boolean {
  if (a === b) return true;
  return ctx.nodes.some((n) => {
    const names = [n.name, n.serial, n.softSerial];
    return names.includes(a) && names.includes(b);
  });
}

function subnetProblems(w: WorkloadsSpec, clusterPrefix: string): Problem[] {
  const out: Problem[] = [];
  const taken = [...K3S, { text: clusterPrefix, why: 'the cluster prefix' }].flatMap((r) => {
    const p = parsePrefix(r.text);
    return p ? [{ ...r, p }] : [];
  });
  w.networks.forEach((n, i) => {
    const path = ['networks', i, 'subnet'];
    const problem = subnetProblem(n, taken);
    if (problem) out.push({ path, message: problem });
  });
  return out;
}

type Taken = { text: string; why: string; p: Ipv4Prefix }[];

function subnetProblem(n: WorkloadsSpec['networks'][number], taken: Taken): string | undefined {
  if (n.kind === 'switch') return n.subnet ? 'a switch network bridges the port and takes no subnet' : undefined;
  if (!n.subnet) return 'a local network needs an IPv4 subnet, e.g. 10.1.0.0/24';
  const p = parsePrefix(n.subnet, true);
  if (!p) return 'must be an IPv4 prefix without host bits, like 10.1.0.0/24';
  // EVE needs at least 4 usable addresses in a local NI (MinSubnetSize, pkg/pillar/types/zedroutertypes.go).
  if (usableHosts(p) < 4) return `${n.subnet} is too small: EVE needs a /29 or larger`;
  const clash = taken.find((t) => prefixesOverlap(t.p, p));
  if (clash) return `${n.subnet} overlaps ${clash.text} (${clash.why})`;
  // EVE refuses an NI whose subnet overlaps another NI's (ZR validation.go).
  taken.push({ text: n.subnet, why: `network ${n.name}`, p });
  return undefined;
}

/**
 * Images the site's workloads name but the image store lacks (or holds as the wrong kind), with the site path of
 * each: serve start refuses on these, before anything is sent (issue #13).
 */
export function siteImageProblems(site: Site, catalog: ImageCatalog): string[] {
  if (site.clusters) {
    return site.clusters.flatMap((c, i) =>
      c.workloads ? imageProblems(c.workloads, catalog, `clusters.${i}.workloads`) : [],
    );
  }
  return site.workloads ? imageProblems(site.workloads, catalog) : [];
}
