// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} here is iPXE settings syntax, not a JS template
import { describe, expect, it } from 'vitest';
import { decideBoot } from '../../../src/core/boot/decide.js';
import { renderInstallerOverrides, renderNetbootGrubCfg } from '../../../src/core/boot/grub-netboot.js';
import { renderBootScript, renderIdentityScript, standInKernelArgs } from '../../../src/core/boot/ipxe-script.js';
import { expectGoldenText } from './golden.js';
import { biosMachine, eveArmImage, eveNetbootImage, standInImage, uefiMachine } from './images.js';

const base = 'http://10.99.0.1:8080';
const mac = '52:54:00:99:00:10';
const known = { known: true, name: 'node-a', why: 'site node node-a (serial SN-A)' };
const exit = { localBoot: 'exit', unknownMachines: 'ignore' } as const;
const sanboot = { localBoot: 'sanboot', unknownMachines: 'ignore' } as const;

const cases = [
  { name: 'install-grub-x64.ipxe', input: { machine: uefiMachine(), images: [eveNetbootImage()], policy: exit } },
  {
    name: 'install-grub-aa64.ipxe',
    input: {
      machine: uefiMachine({ identity: { ...uefiMachine().identity, buildarch: 'arm64' } }),
      images: [eveArmImage()],
      policy: exit,
    },
  },
  {
    name: 'install-kernel-standin.ipxe',
    input: { machine: biosMachine(), images: [standInImage()], policy: exit },
    kernelArgs: standInKernelArgs({
      base,
      mac,
      controller: '10.99.0.1:8443',
      installArgs: ['eve_install_disk=sda'],
      imageId: 'standin-1-amd64',
      nonce: 'AAAAAAAAAAAAAAAAAAAAAA',
    }),
  },
  {
    name: 'local-exit.ipxe',
    input: { machine: uefiMachine({ installedAt: 1 }), images: [eveNetbootImage()], policy: exit },
  },
  {
    name: 'local-sanboot.ipxe',
    input: { machine: uefiMachine({ installedAt: 1 }), images: [eveNetbootImage()], policy: sanboot },
  },
  {
    name: 'unsupported-bios.ipxe',
    input: { machine: biosMachine(), images: [eveNetbootImage()], policy: exit },
  },
  {
    name: 'ignore-unknown.ipxe',
    input: {
      machine: uefiMachine(),
      images: [eveNetbootImage()],
      policy: exit,
      known: { known: false, why: 'MAC x not in the site file' },
    },
  },
];

describe('iPXE scripts (golden)', () => {
  it('identity script reports every NIC and chains to /boot/report', () => {
    const s = renderIdentityScript({ base });
    expectGoldenText('identity.ipxe', s);
    expect(s).toContain('isset ${net7/mac} || goto eb_nics_done');
    expect(s).toContain('/boot/report?mac=${eb_mac}&uuid=${uuid}&serial=${serial:uristring}');
  });

  for (const c of cases) {
    it(`${c.name}`, () => {
      const decision = decideBoot({ known, ...c.input });
      const s = renderBootScript({ base, mac, decision, kernelArgs: c.kernelArgs });
      expectGoldenText(c.name, s);
      expect(s.startsWith('#!ipxe\n')).toBe(true);
    });
  }

  it('a booting callback precedes every boot, chain, sanboot and exit', () => {
    for (const c of cases) {
      const lines = renderBootScript({ base, mac, decision: decideBoot({ known, ...c.input }) }).split('\n');
      const first = lines.findIndex((l) => /^(boot|chain|sanboot|exit)\b/.test(l));
      const callback = lines.findIndex((l) => l.includes('/boot/booting?'));
      expect(callback, c.name).toBeGreaterThan(-1);
      expect(callback, c.name).toBeLessThan(first);
    }
  });

  it('reasons cannot inject iPXE settings expansion into echo', () => {
    const decision = { kind: 'ignore', method: 'exit', reason: 'serial ${evil}\nchain http://x' } as const;
    const s = renderBootScript({ base, mac, decision });
    expect(s).not.toContain('${evil}');
    expect(s.split('\n').filter((l) => l.startsWith('chain'))).toEqual([]);
  });
});

describe('GRUB files (golden)', () => {
  it('netboot grub.cfg loop-mounts installer.iso over HTTP', () => {
    const s = renderNetbootGrubCfg({ httpServer: '10.99.0.1:8080', imageId: '14.5.1-k-amd64' });
    expectGoldenText('netboot-grub.cfg', s);
    expect(s.indexOf('set cmddevice=http,10.99.0.1:8080')).toBeLessThan(s.indexOf('loopback loop0'));
  });

  it('installer overrides add only the booting NIC soft serial: no second CONFIG, no newc initrd', () => {
    const s = renderInstallerOverrides({ softSerial: '52-54-00-99-00-10' });
    expectGoldenText('installer-overrides.cfg', s);
    expect(s).toContain('set_global dom0_extra_args "$dom0_extra_args eve_soft_serial=52-54-00-99-00-10 "');
    expect(s).not.toMatch(/config\.img|newc:|^\s*source/m);
  });

  it('installer overrides for a client not known by IP carry no soft serial, and nothing unsafe gets in', () => {
    expect(renderInstallerOverrides({})).not.toContain('eve_soft_serial');
    expect(renderInstallerOverrides({ softSerial: 'x" ; reboot' })).not.toContain('reboot');
  });

  it('a stand-in install passes eve_soft_serial of the booting NIC, as EVE ipxe.efi.cfg does with ${mac:hexhyp}', () => {
    const args = standInKernelArgs({
      base,
      mac,
      controller: '10.99.0.1:8443',
      installArgs: [],
      imageId: 'standin-1-amd64',
      nonce: 'AAAAAAAAAAAAAAAAAAAAAA',
    }).split(' ');
    expect(args).toContain('eve_soft_serial=52-54-00-99-00-10');
    // CONFIG comes from inside the (per-install patched) installer.iso, not from a URL of its own.
    expect(args.filter((a) => a.startsWith('eveboot.config'))).toEqual([]);
    // with this install decision's nonce: the CONFIG inside goes to its IP with it only (boot-api.ts).
    expect(args).toContain(
      'eveboot.iso=http://10.99.0.1:8080/artifacts/standin-1-amd64/installer.iso?nonce=AAAAAAAAAAAAAAAAAAAAAA',
    );
    expect(args).toContain(
      'eveboot.installed=http://10.99.0.1:8080/boot/installed?mac=52:54:00:99:00:10&nonce=AAAAAAAAAAAAAAAAAAAAAA',
    );
  });
});
