// The demo's generated images import as `eveboot apps import` imports them: an OCI image with its tag, a qcow2
// disk with its virtual size; both are what the demo site's apps name.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppStore } from '../../src/adapters/app-store.js';
import { DEMO_CONTAINER_IMAGE, DEMO_VM_IMAGE, prepareDemoApps } from '../../src/sim/demo-apps.js';

describe('prepareDemoApps', () => {
  it('imports a tagged OCI image and a qcow2 disk into the state dir', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eveboot-demo-apps-'));
    await prepareDemoApps(dir, 5);
    const store = new AppStore(join(dir, 'apps'));
    const byName = Object.fromEntries(store.images().map((i) => [i.name, [i.format, i.tag, i.virtualSizeBytes]]));
    expect(byName).toEqual({
      [DEMO_CONTAINER_IMAGE]: ['oci', 'v1', undefined],
      [DEMO_VM_IMAGE]: ['qcow2', undefined, 64 * 1024 * 1024],
    });
    expect(store.images().flatMap((i) => store.missing(i))).toEqual([]);
  });
});
