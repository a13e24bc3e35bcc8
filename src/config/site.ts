// The site file (YAML or JSON): one schema that validates and types it. Errors print as "path: what is wrong".
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { checkPrefix } from '../core/plan/addresses.js';
import { type Ipv4Prefix, parsePrefix, prefixesOverlap } from '../core/plan/ipv4.js';
import type { WorkloadsSpec } from '../core/workloads/model.js';
import { workloadProblems, workloadsSchema } from './workloads-schema.js';

const mac = z
  .string()
  .regex(/^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$/, 'must be a MAC address like 52:54:00:12:34:56')
  .transform((s) => s.toLowerCase().replace(/-/g, ':'));

const cidr = z.string().refine((s) => {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(s);
  return m?.slice(1, 5).every((o) => Number(o) <= 255) && Number(m[5]) <= 32;
}, 'must be an IPv4 prefix like 10.244.244.0/28');

const port = z.number().int().min(1).max(65535);

/** One kernel command-line word: no spaces, quotes, $ or backslashes (it lands inside GRUB and iPXE scripts). */
const installerWord = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[A-Za-z0-9_.,:=/+@-]+$/, 'may contain only letters, digits and _ . , : = / + @ -');

const node = z
  .object({
    serial: z.string().min(1).max(256).optional(),
    softSerial: z
      .string()
      .regex(/^[a-zA-Z0-9_-]+$/, 'may contain only letters, digits, _ and -')
      .max(256)
      .optional(),
    mac: mac.optional(),
    name: z.string().min(1).max(63).optional(),
    /** Operator override of the cluster port's logical label (e.g. eth1). */
    clusterInterface: z.string().min(1).optional(),
  })
  .strict()
  .refine((n) => n.serial || n.softSerial, { message: 'each node needs a serial or a softSerial' });

const clusterFields = z.object({
  name: z
    .string()
    .min(1)
    .max(63)
    .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'may contain only letters, digits, _ . and -'),
  prefix: cidr.default('10.244.244.0/28'),
  seed: z.string().min(1).optional(),
  /**
   * How long the seed must be silent (no request of any kind) before another node may become the seed; see
   * docs/concepts/cluster-bring-up.md. The default fits EVE-k's first boot; the demo sets a scaled value.
   */
  seedTimeoutSeconds: z.number().int().min(10).default(3600),
  /** How long planning waits for each node's ZInfoHardware (link speeds) once all else is in. */
  hardwareGraceSeconds: z.number().int().min(0).default(300),
});

export const siteSchema = z
  .object({
    site: z.object({ name: z.string().min(1).max(63) }).strict(),
    /** One cluster (a site file) … */
    cluster: clusterFields.strict().optional(),
    nodes: z.array(node).max(64).default([]),
    /** … or many (a factory line manifest): each with its own nodes, matched by serial as they appear. */
    clusters: z
      .array(
        clusterFields.extend({ nodes: z.array(node).min(1).max(64), workloads: workloadsSchema.optional() }).strict(),
      )
      .max(1000)
      .optional(),
    /** Networks, volumes and apps deployed once the cluster is Ready (docs/how-to/workloads.md). */
    workloads: workloadsSchema.optional(),
    onboarding: z
      .object({
        policy: z.enum(['allowlist', 'approve']).default('allowlist'),
        /** What a node's attestation must prove (docs/concepts/security-hardening.md); the demo site says off. */
        tpm: z.enum(['required', 'preferred', 'off']).default('required'),
        /** PEM bundle of TPM vendor CAs; uploaded endorsement certs must chain to one of them. */
        tpmVendorCa: z.string().min(1).optional(),
      })
      .strict()
      .default({}),
    listen: z
      .object({
        /**
         * Address or DNS name the nodes use to reach us (CONFIG `server`, TLS SANs). Default: the serving
         * interface's address under network boot; required for USB media; never loopback for real nodes.
         */
        advertise: z.string().min(1).optional(),
        host: z.string().min(1).default('0.0.0.0'),
        controllerPort: port.default(8443),
        httpPort: port.default(8080),
        tftpPort: port.default(69),
        dhcpPort: port.default(67),
        uiHost: z.string().min(1).default('127.0.0.1'),
        uiPort: port.default(8088),
      })
      .strict()
      .default({}),
    ui: z
      .object({ accessToken: z.string().min(16).optional() })
      .strict()
      .default({}),
    /** HTTP boot: install-once policy and EVE installer options (eve-api-facts §6.3). */
    boot: z
      .object({
        /** How an installed machine leaves iPXE: `exit` (firmware boot order) or `sanboot` drive 0x80. */
        localBoot: z.enum(['exit', 'sanboot']).default('exit'),
        /** Machines not in `nodes` (by MAC or serial): `ignore` (safe on a shared LAN) or `boot`. */
        unknownMachines: z.enum(['ignore', 'boot']).default('ignore'),
        /** Pin an imported image (version or id); default: the newest import for the machine's arch. */
        image: z.string().min(1).optional(),
        /** eve_install_disk, e.g. sda or nvme0n1. */
        installDisk: installerWord.optional(),
        /** eve_persist_disk; several disks make a ZFS pool on EVE-k. */
        persistDisks: z.array(installerWord).default([]),
        /** eve_reboot_after_install (else the installer powers off). */
        rebootAfterInstall: z.boolean().default(true),
        /** More installer/kernel options, e.g. eve_install_zfs_with_raid_level=raid1. */
        extraArgs: z.array(installerWord).default([]),
      })
      .strict()
      .default({}),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (!s.cluster && !s.clusters) {
      ctx.addIssue({
        code: 'custom',
        path: ['cluster'],
        message: 'Required (or clusters: a list, for a line manifest)',
      });
    }
    if (s.cluster && s.clusters) {
      ctx.addIssue({
        code: 'custom',
        path: ['clusters'],
        message: 'give either cluster (+ nodes) or clusters, not both',
      });
    }
    if (s.clusters && s.workloads) {
      ctx.addIssue({
        code: 'custom',
        path: ['workloads'],
        message: 'with clusters, give workloads inside each cluster',
      });
    }
    const addWorkloadIssues = (
      w: WorkloadsSpec | undefined,
      c: { nodes: Site['nodes']; prefix: string },
      at: (string | number)[],
    ) => {
      for (const p of w ? workloadProblems(w, c) : [])
        ctx.addIssue({ code: 'custom', path: [...at, ...p.path], message: p.message });
    };
    if (s.cluster) addWorkloadIssues(s.workloads, { nodes: s.nodes, prefix: s.cluster.prefix }, ['workloads']);
    s.clusters?.forEach((c, i) => {
      addWorkloadIssues(c.workloads, c, ['clusters', i, 'workloads']);
    });
    if (s.clusters && s.nodes.length > 0) {
      ctx.addIssue({ code: 'custom', path: ['nodes'], message: 'with clusters, list the nodes inside each cluster' });
    }
    const seen = new Set<string>();
    const names = new Set<string>();
    const check = (nodes: { serial?: string; softSerial?: string }[], path: (string | number)[]) =>
      nodes.forEach((n, i) => {
        const key = n.serial ?? `soft:${n.softSerial}`;
        if (seen.has(key)) ctx.addIssue({ code: 'custom', path: [...path, i], message: `duplicate node ${key}` });
        seen.add(key);
      });
    check(s.nodes, ['nodes']);
    // The same checks the planner makes (K3s ranges, host bits, room for the nodes), and, on a line manifest, no
    // two clusters whose prefixes overlap: their nodes share the station's switch and would route to each other.
    const placed: { name: string; prefix: Ipv4Prefix; text: string }[] = [];
    const checkCluster = (c: { name: string; prefix: string }, nodeCount: number, path: (string | number)[]) => {
      if (!parsePrefix(c.prefix)) return; // the field's own check has said so
      const prefix = checkPrefix(c.prefix, [], Math.max(3, nodeCount));
      if (typeof prefix === 'string')
        return ctx.addIssue({ code: 'custom', path: [...path, 'prefix'], message: prefix });
      const other = placed.find((p) => prefixesOverlap(p.prefix, prefix));
      if (other) {
        ctx.addIssue({
          code: 'custom',
          path: [...path, 'prefix'],
          message: `cluster prefix ${c.prefix} overlaps cluster ${other.name}'s ${other.text}: give each cluster its own prefix`,
        });
      }
      placed.push({ name: c.name, prefix, text: c.prefix });
    };
    if (s.cluster) checkCluster(s.cluster, s.nodes.length, ['cluster']);
    s.clusters?.forEach((c, i) => {
      checkCluster(c, c.nodes.length, ['clusters', i]);
      if (names.has(c.name))
        ctx.addIssue({ code: 'custom', path: ['clusters', i, 'name'], message: `duplicate cluster ${c.name}` });
      names.add(c.name);
      check(c.nodes, ['clusters', i, 'nodes']);
    });
  });

export interface ClusterSpec {
  name: string;
  prefix: string;
  seed?: string;
  seedTimeoutSeconds: number;
  hardwareGraceSeconds?: number;
  nodes: Site['nodes'];
  /** What runs on the cluster once it is Ready (core/workloads). */
  workloads?: WorkloadsSpec;
}

/** The clusters a site file or line manifest describes, in file order. */
export function clusterSpecs(site: Site): ClusterSpec[] {
  if (site.clusters) return site.clusters;
  if (!site.cluster) return [];
  return [{ ...site.cluster, nodes: site.nodes, ...(site.workloads ? { workloads: site.workloads } : {}) }];
}

export type Site = z.infer<typeof siteSchema>;

export class SiteError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'SiteError';
  }
}

export function parseSite(text: string, source = 'site file'): Site {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e) {
    throw new SiteError([`${source}: not valid YAML or JSON: ${(e as Error).message}`]);
  }
  const r = siteSchema.safeParse(raw ?? {});
  if (!r.success) {
    throw new SiteError(r.error.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`));
  }
  return r.data;
}

export function loadSite(path: string): Site {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new SiteError([`${path}: cannot read: ${(e as Error).message}`]);
  }
  return parseSite(text, path);
}

/** The embedded default: a demo site with three simulated nodes on loopback high ports, no root needed. */
export const DEMO_SITE_YAML = `site: { name: demo }
cluster: { name: demo-cluster, prefix: 10.244.244.0/28 }
nodes:
  - { serial: DEMO-0001, name: edge-1 }
  - { serial: DEMO-0002, name: edge-2 }
  - { serial: DEMO-0003, name: edge-3 }
onboarding: { policy: allowlist, tpm: off }
listen: { advertise: 127.0.0.1, host: 127.0.0.1, controllerPort: 18443, httpPort: 18080, tftpPort: 16969, dhcpPort: 16767, uiPort: 18088 }
`;
