import { describe, expect, it } from 'vitest';
import { type BootPolicy, type DecideInput, decideBoot, matchSiteNode } from '../../../src/core/boot/decide.js';
import { biosMachine, eveArmImage, eveNetbootImage, isoOnlyImage, standInImage, uefiMachine } from './images.js';

const policy: BootPolicy = { localBoot: 'exit', unknownMachines: 'ignore' };
const known = { known: true, name: 'node-a', why: 'site node node-a (serial SN-A)' };
const stranger = { known: false, why: 'MAC 52:54:00:99:00:10 serial SN-A is not in the site file' };
const base: DecideInput = { machine: uefiMachine(), known, images: [eveNetbootImage()], policy };

const table: { name: string; input: DecideInput; want: { kind: string; reason: RegExp; image?: string } }[] = [
  {
    name: 'a listed UEFI machine with nothing recorded gets the EVE installer',
    input: base,
    want: { kind: 'install', reason: /site node node-a.*install 14\.5\.1-k-amd64/, image: '14.5.1-k-amd64' },
  },
  {
    name: 'a machine whose installer reported "installed" boots its local disk',
    input: { ...base, machine: uefiMachine({ installedAt: 5, installedVia: 'installer' }) },
    want: { kind: 'local', reason: /install recorded \(installer\)/ },
  },
  {
    name: 'a machine that onboarded to the controller boots its local disk even with no install record',
    input: { ...base, onboarded: 'SN-A' },
    want: { kind: 'local', reason: /device SN-A already onboarded/ },
  },
  {
    name: 'a machine that got the whole installer.iso and came back is presumed installed',
    input: { ...base, machine: uefiMachine({ payloadServedAt: 7 }) },
    want: { kind: 'local', reason: /presumed installed/ },
  },
  {
    name: 'the operator reinstall mark overrides an install record',
    input: { ...base, machine: uefiMachine({ installedAt: 5, reinstall: true }), onboarded: 'SN-A' },
    want: { kind: 'install', reason: /reinstall requested by the operator/ },
  },
  {
    name: 'an unknown machine is ignored when the site says ignore',
    input: { ...base, known: stranger },
    want: { kind: 'ignore', reason: /not in the site file; site boot.unknownMachines is ignore/ },
  },
  {
    name: 'an unknown machine is installed when the site says boot',
    input: { ...base, known: stranger, policy: { ...policy, unknownMachines: 'boot' } },
    want: { kind: 'install', reason: /not in the site file: install/ },
  },
  {
    name: 'an installed unknown machine still boots local (never touch a bystander disk)',
    input: { ...base, known: stranger, machine: uefiMachine({ installedAt: 1 }) },
    want: { kind: 'local', reason: /install recorded/ },
  },
  {
    name: 'a BIOS machine cannot take the EVE netboot chain and is told to switch to UEFI',
    input: { ...base, machine: biosMachine() },
    want: { kind: 'unsupported', reason: /pcbios \(not UEFI\).*switch the box to UEFI/ },
  },
  {
    name: 'a BIOS machine can boot the kernel stand-in installer',
    input: { ...base, machine: biosMachine(), images: [standInImage()] },
    want: { kind: 'install', reason: /install standin-1-amd64/, image: 'standin-1-amd64' },
  },
  {
    name: 'no image for the machine architecture says what to import',
    input: { ...base, images: [eveArmImage()] },
    want: { kind: 'unsupported', reason: /no image for amd64 imported: run eveboot images import/ },
  },
  {
    name: 'an arm64 machine gets the arm64 image',
    input: {
      ...base,
      machine: uefiMachine({ identity: { ...uefiMachine().identity, buildarch: 'arm64' } }),
      images: [eveNetbootImage(), eveArmImage()],
    },
    want: { kind: 'install', reason: /install 14\.5\.1-k-arm64/, image: '14.5.1-k-arm64' },
  },
  {
    name: 'an image without the GRUB binary (installer.iso alone) is refused with the fix',
    input: { ...base, images: [isoOnlyImage()] },
    want: { kind: 'unsupported', reason: /no EFI\/BOOT\/BOOTX64\.EFI: import the release's installer-net\.tar/ },
  },
  {
    name: 'a pinned version is used even when a newer import exists',
    input: { ...base, images: [standInImage(), eveNetbootImage()], policy: { ...policy, image: '14.5.1-k-amd64' } },
    want: { kind: 'install', reason: /install 14\.5\.1-k-amd64/, image: '14.5.1-k-amd64' },
  },
  {
    name: 'without a pin the newest import wins',
    input: { ...base, images: [eveNetbootImage(), standInImage()] },
    want: { kind: 'install', reason: /install standin-1-amd64/, image: 'standin-1-amd64' },
  },
  {
    name: 'a missing build architecture is reported, not guessed',
    input: { ...base, machine: uefiMachine({ identity: { nics: [] } }) },
    want: { kind: 'unsupported', reason: /unknown build architecture \(not reported\)/ },
  },
];

describe('decideBoot (install once)', () => {
  for (const t of table) {
    it(t.name, () => {
      const d = decideBoot(t.input);
      expect(d.kind).toBe(t.want.kind);
      expect(d.reason).toMatch(t.want.reason);
      if (t.want.image) expect(d.kind === 'install' && d.image.id).toBe(t.want.image);
    });
  }

  it('local decisions carry the site local-boot method', () => {
    const d = decideBoot({ ...base, onboarded: 'SN-A', policy: { ...policy, localBoot: 'sanboot' } });
    expect(d).toMatchObject({ kind: 'local', method: 'sanboot' });
  });
});

describe('matchSiteNode', () => {
  const m = uefiMachine();
  const cases = [
    { name: 'matches by boot MAC', nodes: [{ mac: '52:54:00:99:00:10', name: 'a' }], want: true },
    { name: 'matches by a second NIC MAC', nodes: [{ mac: '52:54:00:99:01:10' }], want: true },
    { name: 'matches by SMBIOS serial', nodes: [{ serial: 'SN-A' }], want: true },
    { name: 'does not match other serials', nodes: [{ serial: 'SN-B' }, { mac: '52:54:00:00:00:01' }], want: false },
    { name: 'an empty site knows nobody', nodes: [], want: false },
    {
      name: 'matches by soft serial: the boot NIC MAC in hexhyp form, what the install passes as eve_soft_serial',
      nodes: [{ softSerial: '52-54-00-99-00-10', name: 'soft' }],
      want: true,
    },
    {
      name: 'a soft serial in upper case still matches',
      nodes: [{ softSerial: '52-54-00-99-00-10'.toUpperCase() }],
      want: true,
    },
    {
      name: 'a soft serial of a non-boot NIC does not match (EVE uses the booting NIC)',
      nodes: [{ softSerial: '52-54-00-99-01-10' }],
      want: false,
    },
  ];
  for (const c of cases) it(c.name, () => expect(matchSiteNode(c.nodes, m).known).toBe(c.want));
});
