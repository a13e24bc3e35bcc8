// Which machines the DHCP server answers, from the site file's node list and boot.unknownMachines.
import { describe, expect, it } from 'vitest';
import { sitePolicy } from '../../../src/core/dhcp/site-policy.js';

const LISTED = '52:54:00:00:00:01';
const BY_SOFT_SERIAL = '52:54:00:00:00:02';
const STRANGER = '52:54:00:00:00:99';
const mixed = [{ mac: LISTED }, { softSerial: '52-54-00-00-00-02' }];
const serialsOnly = [{}, {}];

describe('sitePolicy', () => {
  const cases: {
    name: string;
    input: { nodes: { mac?: string; softSerial?: string }[]; unknown: 'boot' | 'ignore'; mac: string };
    want: { allowed: boolean; reason: RegExp };
  }[] = [
    {
      name: 'a MAC the site lists is answered',
      input: { nodes: mixed, unknown: 'ignore', mac: LISTED },
      want: { allowed: true, reason: /listed/ },
    },
    {
      name: 'a soft serial names the boot NIC, so its MAC is answered',
      input: { nodes: mixed, unknown: 'ignore', mac: BY_SOFT_SERIAL },
      want: { allowed: true, reason: /listed/ },
    },
    {
      name: 'an unlisted MAC is ignored when the site lists MACs and ignores unknown machines',
      input: { nodes: mixed, unknown: 'ignore', mac: STRANGER },
      want: { allowed: false, reason: /not in the site file/ },
    },
    {
      name: 'an unlisted MAC is answered when the site boots unknown machines',
      input: { nodes: mixed, unknown: 'boot', mac: STRANGER },
      want: { allowed: true, reason: /unknown machines/ },
    },
    {
      name: 'a site listing serials only answers everyone: the identity report decides',
      input: { nodes: serialsOnly, unknown: 'ignore', mac: STRANGER },
      want: { allowed: true, reason: /serial only/ },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = sitePolicy(c.input.nodes, c.input.unknown)(c.input.mac);
      expect(got.allowed).toBe(c.want.allowed);
      expect(got.reason).toMatch(c.want.reason);
    });
  }
});
