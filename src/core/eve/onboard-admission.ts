// Which onboarding cert may register which machine. There is no site-wide onboarding key: the appliance CA issues a
// fresh onboarding cert per install decision (bound to that decision's MAC and the serial the machine reported) or
// per USB medium (`eveboot usb build`), and register accepts each cert once, for the machine it names.
// The binding travels in the cert as SAN URIs, so it is covered by the CA's signature:
//   urn:eveboot:onboard:mac:<mac>  urn:eveboot:onboard:serial:<serial>  urn:eveboot:onboard:medium:<id>
// Pure: the caller passes the chain check, the current grant and the use record in.

export interface OnboardBinding {
  kind: 'install' | 'medium';
  mac?: string;
  serial?: string;
  medium?: string;
}

const PREFIX = 'urn:eveboot:onboard:';

export function bindingUris(b: OnboardBinding): string[] {
  const uris: string[] = [];
  if (b.mac) uris.push(`${PREFIX}mac:${b.mac}`);
  if (b.serial) uris.push(`${PREFIX}serial:${encodeURIComponent(b.serial)}`);
  if (b.medium) uris.push(`${PREFIX}medium:${b.medium}`);
  return uris;
}

/** From node's X509Certificate.subjectAltName ("URI:urn:…, URI:urn:…"); undefined when the cert names no binding. */
export function parseBinding(subjectAltName: string | undefined): OnboardBinding | undefined {
  const b: OnboardBinding = { kind: 'install' };
  for (const part of (subjectAltName ?? '').split(/,\s*/)) {
    const uri = part.startsWith('URI:') ? part.slice(4) : '';
    if (!uri.startsWith(PREFIX)) continue;
    const rest = uri.slice(PREFIX.length);
    const at = rest.indexOf(':');
    const [k, v] = [rest.slice(0, at), rest.slice(at + 1)];
    if (k === 'mac') b.mac = v;
    else if (k === 'serial') b.serial = decodeURIComponent(v);
    else if (k === 'medium') b.medium = v;
  }
  if (b.medium) return { kind: 'medium', medium: b.medium };
  return b.mac ? b : undefined;
}

export interface AdmissionInput {
  /** The onboarding cert chains to the appliance root CA and is within its validity. */
  chainOk: boolean;
  binding: OnboardBinding | undefined;
  certHash: string;
  serial: string;
  /** Onboarding cert hash of the live install decision for binding.mac, if any. */
  currentForMac?: string;
  /** UUID of a device (current or history) that already registered with this onboarding cert. */
  usedBy?: string;
}

export type OnboardAdmission = { kind: 'ok' } | { kind: 'refuse'; reason: string };

export function admitOnboardCert(i: AdmissionInput): OnboardAdmission {
  const refuse = (reason: string): OnboardAdmission => ({ kind: 'refuse', reason });
  if (!i.chainOk) return refuse('the onboarding cert is not issued by this appliance (or expired)');
  const b = i.binding;
  if (!b) return refuse('the onboarding cert is not bound to a machine or medium; re-install the node from eveboot');
  if (i.usedBy) return refuse(`this onboarding cert was already used (device ${i.usedBy}); each is good once`);
  if (b.kind === 'medium') return { kind: 'ok' };
  if (b.serial && b.serial !== i.serial) {
    return refuse(`this onboarding cert was issued to serial ${b.serial}, not ${i.serial || '(none)'}`);
  }
  if (i.currentForMac !== i.certHash) {
    return refuse(`this onboarding cert is not the one of the current install decision for MAC ${b.mac}`);
  }
  return { kind: 'ok' };
}
