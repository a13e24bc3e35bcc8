// Per-machine onboarding credentials: a fresh P-256 key and a cert issued by the appliance root CA, with the
// machine's binding (MAC + serial of the install decision, or a USB medium id) as SAN URIs. Replaces the one
// site-wide onboarding key: a CONFIG that leaks gives at most one registration, for the machine it names.
import { createHash } from 'node:crypto';
import { bindingUris, type OnboardBinding } from '../core/eve/onboard-admission.js';
import type { Clock } from '../ports/clock.js';
import type { Credential } from './pki.js';
import { systemClock } from './system.js';
import { CLIENT_AUTH, issue, issuerOf, newPair, x509 } from './x509-issue.js';

export interface OnboardCredential {
  certPem: string;
  keyPem: string;
  /** hex SHA-256 of the cert DER: the senderCertHash register will carry. */
  certHash: string;
}

export type OnboardIssuer = (b: OnboardBinding) => Promise<OnboardCredential>;

/** Install credentials live as long as an install can take to reach register; media for a year. */
export function onboardIssuer(root: Credential, clock: Clock = systemClock): OnboardIssuer {
  let rootIssuer: ReturnType<typeof issuerOf> | undefined;
  return async (b) => {
    rootIssuer ??= issuerOf(root.certPem, root.keyPem);
    const issuer = await rootIssuer;
    const { pair, keyPem } = await newPair();
    const who = b.kind === 'medium' ? `medium ${b.medium}` : `${b.mac}`;
    const certPem = await issue({
      subject: `CN=eveboot onboarding ${who}, O=eveboot`,
      pair,
      issuer,
      usages: x509.KeyUsageFlags.digitalSignature,
      eku: [CLIENT_AUTH],
      uris: bindingUris(b),
      years: 1,
      // Valid from the controller's clock, which checks it (a fake clock in tests, the system clock in serve).
      now: clock.now(),
    });
    const der = new x509.X509Certificate(certPem).rawData;
    return { certPem, keyPem, certHash: createHash('sha256').update(new Uint8Array(der)).digest('hex') };
  };
}
