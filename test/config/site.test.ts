import { describe, expect, it } from 'vitest';
import { clusterSpecs, DEMO_SITE_YAML, parseSite } from '../../src/config/site.js';
import { siteProblems } from '../support/site-problems.js';

const problems = siteProblems;

describe('site file validation', () => {
  const cases = [
    { name: 'a minimal site gets the documented defaults', input: 'site: {name: s}\ncluster: {name: c}\n', want: [] },
    {
      name: 'a bad prefix names its path',
      input: 'site: {name: s}\ncluster: {name: c, prefix: nope}\n',
      want: ['cluster.prefix: must be an IPv4 prefix like 10.244.244.0/28'],
    },
    {
      name: 'a bad MAC names the node index',
      input: 'site: {name: s}\ncluster: {name: c}\nnodes: [{serial: A, mac: zz}]\n',
      want: ['nodes.0.mac: must be a MAC address like 52:54:00:12:34:56'],
    },
    {
      name: 'a node without serial or soft serial',
      input: 'site: {name: s}\ncluster: {name: c}\nnodes: [{name: x}]\n',
      want: ['nodes.0: each node needs a serial or a softSerial'],
    },
    {
      name: 'an unknown policy',
      input: 'site: {name: s}\ncluster: {name: c}\nonboarding: {policy: maybe}\n',
      want: ["onboarding.policy: Invalid enum value. Expected 'allowlist' | 'approve', received 'maybe'"],
    },
    {
      name: 'an unknown key is refused, not ignored',
      input: 'site: {name: s}\ncluster: {name: c}\nclustr: {}\n',
      want: ["(top level): Unrecognized key(s) in object: 'clustr'"],
    },
    {
      name: 'a duplicate serial',
      input: 'site: {name: s}\ncluster: {name: c}\nnodes: [{serial: A}, {serial: A}]\n',
      want: ['nodes.1: duplicate node A'],
    },
    {
      name: 'a prefix inside K3s pods (10.42/16) is refused as serve would',
      input: 'site: {name: s}\ncluster: {name: c, prefix: 10.42.7.0/28}\n',
      want: ['cluster.prefix: cluster prefix 10.42.7.0/28 overlaps 10.42.0.0/16 (K3s pods)'],
    },
    {
      name: 'a prefix too small for its nodes',
      input:
        'site: {name: s}\ncluster: {name: c, prefix: 10.9.0.0/30}\nnodes: [{serial: A}, {serial: B}, {serial: C}]\n',
      want: ['cluster.prefix: cluster prefix 10.9.0.0/30 has 2 usable hosts, 3 are needed'],
    },
    {
      name: 'two manifest clusters on the same default prefix',
      input: 'site: {name: s}\nclusters:\n  - {name: a, nodes: [{serial: A}]}\n  - {name: b, nodes: [{serial: B}]}\n',
      want: ["clusters.1.prefix: cluster prefix 10.244.244.0/28 overlaps cluster a's 10.244.244.0/28"],
    },
    { name: 'missing site', input: '{}', want: ['site: Required'] },
    { name: 'not YAML at all', input: 'a: [', want: ['site file: not valid YAML or JSON'] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = problems(c.input);
      expect(got.length).toBe(c.want.length);
      for (const [i, w] of c.want.entries()) expect(got[i]).toContain(w);
    });
  }

  it('a site without cluster or clusters says what is required', () => {
    expect(problems('site: {name: s}\n')).toEqual(['cluster: Required (or clusters: a list, for a line manifest)']);
  });

  it('a line manifest lists many clusters, each with its own nodes; serials are unique across the line', () => {
    const text = `site: {name: line}
clusters:
  - {name: c1, nodes: [{serial: A}, {serial: B}, {serial: C}]}
  - {name: c2, prefix: 10.244.245.0/28, nodes: [{serial: D}, {serial: A}]}
`;
    expect(problems(text)).toEqual(['clusters.1.nodes.1: duplicate node A']);
    const ok = parseSite(text.replace('{serial: A}]}', '{serial: E}]}'));
    expect(clusterSpecs(ok).map((c) => [c.name, c.nodes.length, c.prefix])).toEqual([
      ['c1', 3, '10.244.244.0/28'],
      ['c2', 2, '10.244.245.0/28'],
    ]);
  });

  it('the embedded demo site is valid and has three nodes on loopback high ports', () => {
    const s = parseSite(DEMO_SITE_YAML);
    expect(s.nodes).toHaveLength(3);
    expect(s.listen.host).toBe('127.0.0.1');
    expect(s.listen.controllerPort).toBeGreaterThan(1024);
  });

  it('defaults: prefix 10.244.244.0/28, allowlist, UI on loopback', () => {
    const s = parseSite('site: {name: s}\ncluster: {name: c}\n');
    expect(s.cluster?.prefix).toBe('10.244.244.0/28');
    expect(s.onboarding.policy).toBe('allowlist');
    expect(s.listen.uiHost).toBe('127.0.0.1');
  });
});
