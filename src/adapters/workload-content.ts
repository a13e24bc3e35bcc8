// Imported workload images as the running appliance uses them: the catalog the site schema and the config
// builder read, the endpoints the datastores point at, the bytes served per node, and the HTTP datastore and
// registry routes mounted on the HTTP boot server (same port: docker://<ip>:<httpPort>, core/workloads/endpoints).
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { imageEndpoints } from '../core/workloads/endpoints.js';
import type { ImageCatalog, ImageDownloads, ImageEndpoints } from '../core/workloads/model.js';
import { AppStore } from './app-store.js';
import type { Emit } from './http/boot-progress.js';
import { datastoreRoutes } from './http/datastore-routes.js';
import { registryRoutes } from './http/registry-routes.js';
import { ServedBytes } from './http/served-bytes.js';

export interface WorkloadContent {
  catalog: ImageCatalog;
  downloads: ImageDownloads;
  /** From listen.advertise (resolved by serve before the appliance starts) and listen.httpPort. */
  endpoints(): ImageEndpoints;
  /** Adds the datastore and registry routes to the HTTP boot server, before it listens. */
  mount(app: FastifyInstance): void;
}

export function openWorkloadContent(o: {
  stateDir: string;
  listen: { advertise?: string; httpPort: number };
  emit: Emit;
}): WorkloadContent {
  const store = new AppStore(join(o.stateDir, 'apps'));
  const served = new ServedBytes(o.emit);
  return {
    catalog: store,
    downloads: served,
    endpoints: () => imageEndpoints(o.listen),
    mount(app) {
      datastoreRoutes(app, { store, served });
      registryRoutes(app, { store, served });
    },
  };
}
