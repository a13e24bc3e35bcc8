import { describe, expect, it } from 'vitest';
import { type Negotiated, negotiateOptions } from '../../../src/core/tftp/options.js';
import type { Options } from '../../../src/core/tftp/packet.js';

const limits = { maxBlksize: 1468, maxWindowsize: 16 };
const plain: Negotiated = { blksize: 512, windowsize: 1, timeoutMs: null, oack: [] };

describe('negotiateOptions', () => {
  const cases: Array<{ name: string; input: Options; size?: number; want: Negotiated }> = [
    { name: 'no options means RFC 1350 defaults and no OACK', input: [], want: plain },
    {
      name: 'iPXE blksize=1432 tsize=0 gets the real size back',
      input: [
        ['blksize', '1432'],
        ['tsize', '0'],
      ],
      size: 20000,
      want: {
        ...plain,
        blksize: 1432,
        oack: [
          ['blksize', '1432'],
          ['tsize', '20000'],
        ],
      },
    },
    {
      name: 'OVMF tsize=0 blksize=1468 windowsize=4 is granted in full, in request order',
      input: [
        ['tsize', '0'],
        ['blksize', '1468'],
        ['windowsize', '4'],
      ],
      size: 20480,
      want: {
        ...plain,
        blksize: 1468,
        windowsize: 4,
        oack: [
          ['tsize', '20480'],
          ['blksize', '1468'],
          ['windowsize', '4'],
        ],
      },
    },
    {
      name: 'blksize above the configured maximum is clamped',
      input: [['blksize', '65464']],
      want: { ...plain, blksize: 1468, oack: [['blksize', '1468']] },
    },
    { name: 'blksize below 8 is left out', input: [['blksize', '7']], want: plain },
    {
      name: 'windowsize above the configured maximum is clamped',
      input: [['windowsize', '64']],
      want: { ...plain, windowsize: 16, oack: [['windowsize', '16']] },
    },
    { name: 'windowsize 0 is left out', input: [['windowsize', '0']], want: plain },
    {
      name: 'timeout is honoured and acknowledged',
      input: [['timeout', '2']],
      want: { ...plain, timeoutMs: 2000, oack: [['timeout', '2']] },
    },
    {
      name: 'timeout 0 and 256 are out of range',
      input: [
        ['timeout', '0'],
        ['timeout', '256'],
      ],
      want: plain,
    },
    { name: "atftp's tsize=enable is ignored, not refused", input: [['tsize', 'enable']], want: plain },
    {
      name: 'unknown options are ignored',
      input: [
        ['multicast', ''],
        ['rollover', '0'],
      ],
      want: plain,
    },
    {
      name: 'the first of duplicated options wins',
      input: [
        ['blksize', '1024'],
        ['blksize', '512'],
      ],
      want: { ...plain, blksize: 1024, oack: [['blksize', '1024']] },
    },
  ];
  for (const c of cases) it(c.name, () => expect(negotiateOptions(c.input, c.size ?? 0, limits)).toEqual(c.want));
});
