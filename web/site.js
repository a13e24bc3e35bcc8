// The site header: where the appliance serves, which DHCP mode it runs and why, the imported EVE version and the
// root CA fingerprint. Fields the appliance does not report yet read "not reported".

const UNKNOWN = 'not reported';

function set(id, text, title) {
  const el = document.getElementById(id);
  el.textContent = text || UNKNOWN;
  el.classList.toggle('muted', !text);
  if (title) el.title = title;
  else el.removeAttribute('title');
}

export function renderSite(site) {
  const net = site?.network ?? {};
  document.getElementById('site-name').textContent = site?.name ?? site?.site?.name ?? '';
  const serving = [net.interface, net.address].filter(Boolean).join(' · ');
  set('site-serving', serving);
  const dhcp = net.dhcp ?? {};
  set('site-dhcp', [dhcp.mode, dhcp.why].filter(Boolean).join(': '));
  const eve = typeof site?.eveVersion === 'string' ? site.eveVersion : site?.eveVersion?.version;
  set('site-eve', eve);
  const root = site?.fingerprints?.root;
  set('site-root', root, root ? 'SHA-256 of the appliance root CA certificate' : undefined);
}
