// onboarding.tpm and the TPM vendor CA bundle it names, read once at start: a missing or empty bundle is a start
// error, not a refusal at the first attest.
import { readFileSync } from 'node:fs';
import type { Site } from '../config/site.js';
import { EvebootError } from '../core/errors.js';
import type { AttestPolicy } from '../core/eve/attest-policy.js';

export function loadAttestPolicy(site: Site): AttestPolicy {
  const path = site.onboarding.tpmVendorCa;
  if (!path) return { tpm: site.onboarding.tpm, vendorCas: [] };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new EvebootError(
      'EVEBOOT_ERR_CONFIG',
      `onboarding.tpmVendorCa: cannot read ${path}: ${(e as Error).message}`,
    );
  }
  const vendorCas = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (vendorCas.length === 0)
    throw new EvebootError('EVEBOOT_ERR_CONFIG', `onboarding.tpmVendorCa: ${path} holds no PEM certificate`);
  return { tpm: site.onboarding.tpm, vendorCas };
}
