// Machines the onboarding policy holds for the operator: approve or reject each one. Decided machines stay
// listed with their decision, and the opposite action, so a mistake can be undone.
import { call, getJson } from './api.js';
import { h } from './dom.js';
import { clock } from './format.js';

const section = () => document.getElementById('machines');
const resultLine = () => document.getElementById('machine-result');

function show(text, ok) {
  const el = resultLine();
  el.textContent = text;
  el.classList.toggle('error', !ok);
}

async function decide(m, action) {
  show(`${action === 'approve' ? 'Approving' : 'Rejecting'} ${m.key}…`, true);
  const r = await call('POST', `/api/v1/machines/${encodeURIComponent(m.key)}/${action}`);
  show(r.ok ? `${m.key}: ${r.json?.decision ?? `${action}d`}.` : `${m.key}: ${action} refused: ${r.text}`, r.ok);
  await refreshMachines();
}

function item(m) {
  const buttons = [];
  const label = m.serial || m.softSerial || m.key;
  if (m.decision !== 'approved')
    buttons.push(
      h('button', { type: 'button', class: 'primary', onclick: () => decide(m, 'approve') }, `Approve ${label}`),
    );
  if (m.decision !== 'rejected')
    buttons.push(
      h('button', { type: 'button', class: 'danger', onclick: () => decide(m, 'reject') }, `Reject ${label}`),
    );
  return h(
    'li',
    { class: `machine ${m.decision}`, dataset: { key: m.key } },
    h(
      'span',
      { class: 'machine-id' },
      h('strong', {}, label),
      m.softSerial && m.serial ? ` (soft serial ${m.softSerial})` : '',
    ),
    h('span', { class: `badge decision-${m.decision}` }, m.decision),
    h('span', { class: 'muted' }, `first seen ${clock(m.firstSeen)}; ${m.reason}`),
    h('span', { class: 'machine-actions' }, buttons),
  );
}

export async function refreshMachines() {
  const machines = await getJson('/api/v1/machines');
  if (!Array.isArray(machines)) return;
  const order = { pending: 0, rejected: 1, approved: 2 };
  machines.sort((a, b) => (order[a.decision] ?? 3) - (order[b.decision] ?? 3) || a.key.localeCompare(b.key));
  const list = document.getElementById('machine-list');
  const focused = list.contains(document.activeElement) ? document.activeElement.textContent : undefined;
  list.replaceChildren(...machines.map(item));
  if (focused) [...list.querySelectorAll('button')].find((b) => b.textContent === focused)?.focus();
  section().hidden = machines.length === 0 && !resultLine().textContent;
  const pending = machines.filter((m) => m.decision === 'pending').length;
  document.getElementById('machines-heading').textContent =
    pending > 0 ? `Unknown machines: ${pending} waiting for a decision` : 'Unknown machines';
}

/** Events after which the list may have changed. */
export function touchesMachines(type) {
  return type === 'eve.register.refused' || type === 'eve.registered' || type.startsWith('operator.');
}
