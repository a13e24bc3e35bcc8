// CONFIG partition contents for a site, and the GRUB override line.
import { describe, expect, it } from 'vitest';
import { renderGrubCfg, siteConfigFiles } from '../../../src/core/disk/config-files.js';

const input = {
  server: '192.168.1.10:8443',
  rootCaPem: '-----BEGIN CERTIFICATE-----\nROOT\n-----END CERTIFICATE-----\n',
  onboardCertPem: '-----BEGIN CERTIFICATE-----\nONB\n-----END CERTIFICATE-----',
  onboardKeyPem: '-----BEGIN PRIVATE KEY-----\nKEY\n-----END PRIVATE KEY-----\n',
  grubCfg: 'set_global dom0_extra_args "$dom0_extra_args eve_reboot_after_install "\n',
};
const asText = (files: { path: string; data: Uint8Array }[]) =>
  Object.fromEntries(files.map((f) => [f.path, new TextDecoder().decode(f.data)]));

describe('siteConfigFiles', () => {
  it('writes the six files EVE reads from /config, each ending in one newline', () => {
    expect(asText(siteConfigFiles(input))).toEqual({
      server: '192.168.1.10:8443\n',
      'root-certificate.pem': input.rootCaPem,
      'v2tlsbaseroot-certificates.pem': input.rootCaPem,
      'onboard.cert.pem': `${input.onboardCertPem}\n`,
      'onboard.key.pem': input.onboardKeyPem,
      'grub.cfg': input.grubCfg,
    });
  });

  it('adds soft_serial only when given', () => {
    expect(asText(siteConfigFiles({ ...input, softSerial: 'edge-1' })).soft_serial).toBe('edge-1\n');
    expect(siteConfigFiles(input).map((f) => f.path)).not.toContain('soft_serial');
  });
});

describe('renderGrubCfg', () => {
  it.each([
    {
      name: 'install server and reboot (the usb build default)',
      input: { installServer: '192.168.1.10:8443' },
      want: 'set_global dom0_extra_args "$dom0_extra_args eve_install_server=192.168.1.10:8443 eve_reboot_after_install "\n',
    },
    {
      name: 'no reboot when asked',
      input: { installServer: 'ctl.example:443', rebootAfterInstall: false },
      want: 'set_global dom0_extra_args "$dom0_extra_args eve_install_server=ctl.example:443 "\n',
    },
    {
      name: 'disks, soft serial and extra options in a fixed order',
      input: {
        installDisk: 'nvme0n1',
        persistDisks: ['sda', 'sdb'],
        softSerial: 'SN-1',
        extraArgs: ['eve_install_skip_zfs_checks'],
      },
      want: 'set_global dom0_extra_args "$dom0_extra_args eve_install_disk=nvme0n1 eve_persist_disk=sda,sdb eve_soft_serial=SN-1 eve_reboot_after_install eve_install_skip_zfs_checks "\n',
    },
  ])('$name', ({ input, want }) => expect(renderGrubCfg(input)).toBe(want));

  it.each(['a"b', 'x; reboot', '$(id)', 'two words'])(
    'refuses an argument that could break out of the string: %j',
    (bad) => expect(() => renderGrubCfg({ extraArgs: [bad] })).toThrow(/unsafe GRUB kernel argument/),
  );
});
