// Every field and enum value we declare in proto/ must be on the wire exactly what EVE compiles in (the Go code
// of the eve-api version EVE vendors): same number, wire kind, repeatedness, oneof/optional, element type and
// name. A message or enum of ours that EVE lacks fails too. Tables: test/fixtures/eve-wire/.

import type { DescFile } from '@bufbuild/protobuf';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type EnumRow,
  enumTable,
  generatedFiles,
  goCamelCase,
  tableElementType,
  type WireRow,
  wireDiffs,
  wireTable,
} from './wire-table.js';

let files: DescFile[];
let wire: WireRow[];
let enums: EnumRow[];

beforeAll(async () => {
  files = await generatedFiles();
  wire = wireTable();
  enums = enumTable();
});

describe('our protobuf messages against EVE wire table', () => {
  it('reads every generated file and both tables', () => {
    expect(files.map((f) => f.name)).toContain('attest/attest');
    expect(files.length).toBeGreaterThanOrEqual(17);
    expect(wire.length).toBeGreaterThan(1500);
    expect(enums.length).toBeGreaterThan(600);
  });

  it('has no difference in any field or enum value', () => {
    expect(wireDiffs(files, wire, enums)).toEqual([]);
  });
});

describe('the comparison catches what would change the bytes', () => {
  const mutate = (pick: (r: WireRow) => boolean, change: Partial<WireRow>) =>
    wire.map((r) => (pick(r) ? { ...r, ...change } : r));
  const cases: { name: string; input: () => { wire: WireRow[]; enums: EnumRow[] }; want: string }[] = [
    {
      name: 'a field number EVE does not have',
      input: () => ({
        wire: mutate((r) => r.goType === 'AttestVersionInfo' && r.field === 'version', { number: 9 }),
        enums,
      }),
      want: 'attest.AttestVersionInfo.version = 2: EVE has no field number 2 in AttestVersionInfo',
    },
    {
      name: 'a repeated field we declare singular',
      input: () => ({ wire: mutate((r) => r.goType === 'ZAttestReq' && r.number === 4, { label: 'rep' }), enums }),
      want: 'attest.ZAttestReq.storage_keys = 4: opt, EVE rep',
    },
    {
      name: 'a different wire kind',
      input: () => ({ wire: mutate((r) => r.goType === 'TpmPCRValue' && r.number === 1, { kind: 'bytes' }), enums }),
      want: 'attest.TpmPCRValue.index = 1: wire kind varint, EVE bytes',
    },
    {
      name: 'a oneof member that EVE has as a plain field',
      input: () => ({ wire: mutate((r) => r.goType === 'ZInfoMsg_Dinfo', { oneof: false }), enums }),
      want: 'info.ZInfoMsg.dinfo = 3: oneof/optional true, EVE false',
    },
    {
      name: 'a message type EVE does not know',
      input: () => ({ wire: wire.filter((r) => r.goType !== 'ZAttestNonceResp'), enums }),
      want: "attest.ZAttestNonceResp: message is not in EVE's wire table",
    },
    {
      name: 'an enum value with another number',
      input: () => ({
        wire,
        enums: enums.map((e) => (e.name === 'HA_SCHEME_K3S_EMBEDDED' ? { ...e, number: 2 } : e)),
      }),
      want: 'config.HAScheme.HA_SCHEME_K3S_EMBEDDED = 1: EVE 2',
    },
    {
      name: 'an enum EVE does not have',
      input: () => ({ wire, enums: enums.filter((e) => e.enumName !== 'TpmHashAlgo') }),
      want: "attest.TpmHashAlgo: enum is not in EVE's enum table",
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { wire: w, enums: e } = c.input();
      expect(wireDiffs(files, w, e)).toContain(c.want);
    });
  }
});

describe('Go naming as the table spells it', () => {
  const cases = [
    { name: 'snake_case field', input: 'cluster_info', want: 'ClusterInfo' },
    { name: 'lowerCamel field', input: 'patchInfo', want: 'PatchInfo' },
    { name: 'digit then letter', input: 'k8s_thing', want: 'K8SThing' },
    { name: 'leading underscore', input: '_x', want: 'XX' },
  ];
  for (const c of cases) it(c.name, () => expect(goCamelCase(c.input)).toBe(c.want));

  const types = [
    { name: 'pointer to a message', input: '*ZAttestQuote', want: 'ZAttestQuote' },
    { name: 'slice of messages in another package', input: '[]*evecommon.PortConfigSource', want: 'PortConfigSource' },
    { name: 'well-known type', input: '*timestamppb.Timestamp', want: 'Timestamp' },
    { name: 'bytes', input: '[]byte', want: '[]byte' },
    { name: 'repeated string', input: '[]string', want: 'string' },
    { name: 'enum', input: 'org.lfedge.eve.attest.TpmHashAlgo', want: 'org.lfedge.eve.attest.TpmHashAlgo' },
    { name: 'map', input: 'map[string]string', want: 'map[string]string' },
  ];
  for (const c of types) it(c.name, () => expect(tableElementType(c.input)).toBe(c.want));
});
