// Where the nodes fetch imported images: both datastores are the HTTP boot server (listen.httpPort), which every
// node already reached to install. The registry answers /v2/ on that port, so a registry datastore is simply
// `docker://<advertise>:<httpPort>` with dpath REGISTRY_NAMESPACE; go-containerregistry talks plain HTTP to an
// RFC1918, loopback or *.local host (eve-workloads-facts §3.4), and EVE follows no redirects (§3.2).
import { EvebootError } from '../errors.js';
import type { ImageEndpoints } from './model.js';

export function imageEndpoints(listen: { advertise?: string; httpPort: number }, servingAddress?: string) {
  const host = listen.advertise ?? servingAddress;
  if (!host)
    throw new EvebootError('EVEBOOT_ERR_CONFIG', 'listen.advertise is not set and there is no serving address');
  const authority = host.includes(':') ? `[${host}]:${listen.httpPort}` : `${host}:${listen.httpPort}`;
  return { httpFqdn: `http://${authority}`, registryFqdn: `docker://${authority}` } satisfies ImageEndpoints;
}
