// CipherContext ids. EVE keeps each context in pubsub under its contextId, and pubsub refuses a key with '/'
// (pkg/pillar/pubsub/socketdriver/publish.go) with only a log line: the token then never decrypts and k3s waits
// forever. So the id is a name-based UUID (no '/'), the same for a cluster and device across restarts.
import { nameUuid } from '../plan/port-model.js';

/** subject: the device UUID, or `offline-<ECDH cert hash>` for a token sealed offline (eveboot token). */
export function cipherContextId(clusterId: string, subject: string): string {
  return nameUuid(clusterId, `cipher-context/${subject}`);
}
