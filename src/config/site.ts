// The site file (YAML or JSON): one schema that validates and types it. Errors print as "path: what is wrong".
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

const mac = z
  .string()
  .regex(/^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$/, 'must be a MAC address like 52:54:00:12:34:56')
  .transform((s) => s.toLowerCase().replace(/-/g, ':'));

const cidr = z.string().refine((s) => {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(s);
  return m?.slice(1, 5).every((o) => Number(o) <= 255) && Number(m[5]) <= 32;
}, 'must be an IPv4 prefix like 10.244.244.0/28');

const port = z.number().int().min(1).max(65535);

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

export const siteSchema = z
  .object({
    site: z.object({ name: z.string().min(1).max(63) }).strict(),
    cluster: z
      .object({
        name: z.string().min(1).max(63),
        prefix: cidr.default('10.244.244.0/28'),
        seed: z.string().min(1).optional(),
        seedTimeoutSeconds: z.number().int().min(10).default(900),
      })
      .strict(),
    nodes: z.array(node).max(64).default([]),
    onboarding: z
      .object({ policy: z.enum(['allowlist', 'approve']).default('allowlist') })
      .strict()
      .default({}),
    listen: z
      .object({
        /** Address the nodes use to reach us (goes into CONFIG `server` and the TLS SANs). */
        advertise: z.string().min(1).default('127.0.0.1'),
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
  })
  .strict()
  .superRefine((s, ctx) => {
    const seen = new Set<string>();
    s.nodes.forEach((n, i) => {
      const key = n.serial ?? `soft:${n.softSerial}`;
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: ['nodes', i], message: `duplicate node ${key}` });
      seen.add(key);
    });
  });

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
onboarding: { policy: allowlist }
listen: { advertise: 127.0.0.1, host: 127.0.0.1, controllerPort: 18443, httpPort: 18080, tftpPort: 16969, dhcpPort: 16767, uiPort: 18088 }
`;
