import { describe, expect, it } from 'vitest';
import { imageEndpoints } from '../../../src/core/workloads/endpoints.js';
import {
  admitImage,
  chooseName,
  findImage,
  nameFromFile,
  splitRefName,
} from '../../../src/core/workloads/image-ref.js';
import { type ImageRecord, imageContentUrl } from '../../../src/core/workloads/model.js';

const H = (c: string) => c.repeat(64);

describe('image names', () => {
  const files: { name: string; input: string; want: string }[] = [
    { name: 'extensions go', input: '/tmp/Nginx-1.25.oci.tar', want: 'nginx-1.25' },
    { name: 'qcow2 goes', input: 'ubuntu_22.04.qcow2', want: 'ubuntu_22.04' },
    { name: 'odd characters become one dash', input: 'My Disk (copy).img', want: 'my-disk-copy' },
    { name: 'nothing usable is empty', input: '___.raw', want: '' },
  ];
  for (const c of files) it(`nameFromFile: ${c.name}`, () => expect(nameFromFile(c.input)).toBe(c.want));

  const refs: { name: string; input: string; want: object }[] = [
    { name: 'a bare tag', input: '1.0', want: { tag: '1.0' } },
    { name: 'a whole reference', input: 'docker.io/library/nginx:1.25', want: { repo: 'nginx', tag: '1.25' } },
    { name: 'a registry port is not a tag', input: 'localhost:5000/app', want: { repo: 'app' } },
    { name: 'a digest reference', input: 'quay.io/x/app:2@sha256:abc', want: { repo: 'app', tag: '2' } },
    { name: 'garbage', input: '-bad', want: {} },
  ];
  for (const c of refs) it(`splitRefName: ${c.name}`, () => expect(splitRefName(c.input)).toEqual(c.want));

  const choices: { name: string; input: Parameters<typeof chooseName>[0]; want: object | string }[] = [
    {
      name: 'options win',
      input: { name: 'web', tag: 'v2', refName: 'nginx:1', fileName: 'x.tar', oci: true },
      want: { name: 'web', tag: 'v2' },
    },
    {
      name: 'the ref name next',
      input: { refName: 'docker.io/library/nginx:1.25', fileName: 'x.tar', oci: true },
      want: { name: 'nginx', tag: '1.25' },
    },
    {
      name: 'a bare-tag ref keeps the file name',
      input: { refName: 'stable', fileName: 'web.tar', oci: true },
      want: { name: 'web', tag: 'stable' },
    },
    { name: 'latest by default', input: { fileName: 'web.tar', oci: true }, want: { name: 'web', tag: 'latest' } },
    { name: 'a disk has no tag', input: { fileName: 'vm.qcow2', oci: false }, want: { name: 'vm' } },
    {
      name: 'a disk refuses --tag',
      input: { tag: 'x', fileName: 'vm.qcow2', oci: false },
      want: '--tag: only OCI images',
    },
    { name: 'an upper-case --name', input: { name: 'Web', fileName: 'x.tar', oci: true }, want: '--name "Web"' },
    { name: 'a bad --tag', input: { tag: '.x', fileName: 'x.tar', oci: true }, want: '--tag ".x"' },
    { name: 'no usable name at all', input: { fileName: '___.raw', oci: false }, want: 'pass --name' },
  ];
  for (const c of choices) {
    it(`chooseName: ${c.name}`, () => {
      if (typeof c.want === 'string') expect(() => chooseName(c.input)).toThrow(c.want);
      else expect(chooseName(c.input)).toEqual(c.want);
    });
  }
});

describe('admitImage and findImage', () => {
  const web: ImageRecord = { name: 'web', sha256: H('a'), format: 'oci', sizeBytes: 10, tag: 'latest', importedAt: 1 };
  const vm: ImageRecord = { name: 'vm', sha256: H('b'), format: 'qcow2', sizeBytes: 20, importedAt: 2 };
  const cases: { name: string; input: Parameters<typeof admitImage>[1]; want: string }[] = [
    { name: 'a new name is new', input: { name: 'db', sha256: H('c'), format: 'raw' }, want: 'new' },
    {
      name: 'the same content under the same name is a no-op',
      input: { name: 'web', sha256: H('a'), format: 'oci', tag: 'latest' },
      want: 'same',
    },
    {
      name: 'other content under a taken name conflicts',
      input: { name: 'vm', sha256: H('c'), format: 'qcow2' },
      want: 'conflict',
    },
    {
      name: 'another tag under a taken name conflicts',
      input: { name: 'web', sha256: H('a'), format: 'oci', tag: 'v2' },
      want: 'conflict',
    },
    {
      name: 'the same content under another name is new',
      input: { name: 'vm2', sha256: H('b'), format: 'qcow2' },
      want: 'new',
    },
  ];
  for (const c of cases) it(c.name, () => expect(admitImage([web, vm], c.input).kind).toBe(c.want));

  it('a conflict says which content holds the name and what to do', () => {
    const a = admitImage([vm], { name: 'vm', sha256: H('c'), format: 'qcow2' });
    expect(a).toEqual({
      kind: 'conflict',
      reason: expect.stringContaining(`qcow2 sha256:${H('b')}: import this one under another --name`),
    });
  });

  it('finds by name and by sha256:<hex> in any case', () => {
    expect(findImage([web, vm], 'vm')).toBe(vm);
    expect(findImage([web, vm], `sha256:${H('B')}`)).toBe(vm);
    expect(findImage([web, vm], 'nope')).toBeUndefined();
  });

  it('content URLs and endpoints follow the datastore layout', () => {
    expect(imageContentUrl(web)).toBe('web:latest');
    expect(imageContentUrl(vm)).toBe(`${H('b')}.qcow2`);
    expect(imageEndpoints({ advertise: '10.0.0.5', httpPort: 8080 })).toEqual({
      httpFqdn: 'http://10.0.0.5:8080',
      registryFqdn: 'docker://10.0.0.5:8080',
    });
    expect(() => imageEndpoints({ httpPort: 8080 })).toThrow('listen.advertise');
  });
});
