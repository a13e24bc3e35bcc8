// Second claimants the appliance holds for the operator (GET /api/v1/conflicts): a serial registered again with
// another device cert, a MAC claimed from a second IP, a first ZInfoDevice without the boot MAC. Each names both
// claimants; nothing is sealed for the node until the operator chooses here (the choice is audited).
import { call, getJson } from './api.js';
import { h } from './dom.js';
import { clock, shortHash } from './format.js';

const KIND_TITLE = {
  'serial-cert': 'registered again with another device cert',
  'mac-ip': 'claimed from a second IP address',
  'info-mac': 'reported without the MAC that was installed',
};

const resultLine = () => document.getElementById('conflict-result');

function show(text, ok) {
  const el = resultLine();
  el.textContent = text;
  el.classList.toggle('error', !ok);
}

async function choose(c, body, what) {
  show(`${what}…`, true);
  const path =
    c.on === 'boot'
      ? `/api/v1/boot/${encodeURIComponent(c.mac)}/conflict`
      : `/api/v1/devices/${encodeURIComponent(c.uuid)}/conflict`;
  const r = await call('POST', path, body);
  show(r.ok ? `${c.subject}: ${r.json?.outcome ?? 'resolved'}.` : `${c.subject}: refused: ${r.text}`, r.ok);
  await refreshConflicts();
}

/** The operator's choices: the IP that is the real machine (boot), or which device cert stays (device). */
function choices(c) {
  const [current, newcomer] = c.claimants;
  if (c.on === 'boot') {
    return c.claimants
      .filter((x) => x.ip)
      .map((x) =>
        h(
          'button',
          {
            type: 'button',
            class: 'primary',
            onclick: () => choose(c, { ip: x.ip }, `Pinning ${c.subject} to ${x.ip}`),
          },
          `The real ${c.subject} is at ${x.ip}`,
        ),
      );
  }
  const out = [
    h(
      'button',
      { type: 'button', class: 'primary', onclick: () => choose(c, { keep: 'current' }, 'Keeping the current device') },
      'Keep the current device',
    ),
  ];
  if (c.kind === 'serial-cert' && newcomer?.certFingerprint) {
    const fp = newcomer.certFingerprint;
    out.push(
      h(
        'button',
        { type: 'button', class: 'danger', onclick: () => choose(c, { keep: fp }, 'Accepting the newcomer') },
        `Accept the newcomer (cert ${shortHash(fp)})`,
      ),
    );
  }
  return current ? out : [];
}

function claimantRow(role, x) {
  const seen = typeof x.firstSeen === 'number' ? new Date(x.firstSeen).toISOString() : '';
  return h(
    'tr',
    {},
    h('th', { scope: 'row' }, role),
    h('td', {}, x.mac ?? '—'),
    h('td', {}, x.ip ?? '—'),
    h('td', {}, x.serial ?? '—'),
    h('td', { class: 'hash', title: x.certFingerprint ?? '' }, x.certFingerprint ? shortHash(x.certFingerprint) : '—'),
    h('td', {}, h('time', { datetime: seen, title: seen }, clock(x.firstSeen))),
  );
}

function item(c) {
  const head = ['', 'MAC', 'IP', 'Serial', 'Device cert SHA-256', 'First seen'].map((t) =>
    h('th', { scope: 'col' }, t),
  );
  return h(
    'li',
    { class: 'conflict', dataset: { on: c.on, subject: c.subject } },
    h('strong', {}, `${c.on === 'boot' ? 'MAC' : 'Serial'} ${c.subject}: ${KIND_TITLE[c.kind] ?? c.kind}`),
    h('p', { class: 'muted' }, c.reason),
    h(
      'table',
      { class: 'claimants' },
      h('thead', {}, h('tr', {}, head)),
      h('tbody', {}, claimantRow('Current', c.claimants[0] ?? {}), claimantRow('Newcomer', c.claimants[1] ?? {})),
    ),
    h('span', { class: 'machine-actions' }, choices(c)),
  );
}

export async function refreshConflicts() {
  const conflicts = await getJson('/api/v1/conflicts');
  if (!Array.isArray(conflicts)) return;
  document.getElementById('conflict-list').replaceChildren(...conflicts.map(item));
  document.getElementById('conflicts').hidden = conflicts.length === 0 && !resultLine().textContent;
  document.getElementById('conflicts-heading').textContent =
    conflicts.length > 0 ? `Conflicts: ${conflicts.length} held for your choice` : 'Conflicts';
}

/** Events after which the list may have changed. */
export function touchesConflicts(type) {
  return type === 'trust.conflict' || type.startsWith('operator.') || type === 'eve.registered';
}
