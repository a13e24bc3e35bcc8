// The eveboot operator page: one live picture of the site (header, cluster panels, one card per node), rebuilt
// from the snapshot on connect and patched by deltas: node cards by `key`, cluster panels by `cluster`.
import { call, getJson } from './api.js';
import { createClusterPanel } from './cluster-panel.js';
import { refreshConflicts, touchesConflicts } from './conflicts.js';
import { h, swap } from './dom.js';
import { clock } from './format.js';
import { connectLive } from './live.js';
import { refreshMachines, touchesMachines } from './machines.js';
import { nodeTitle, PHASE_LABEL, renderNode, tickRunning } from './node-card.js';
import { renderSite } from './site.js';
import { mountWorkloads, nodeApps } from './workloads-panel.js';

// The token came in the first URL; the cookie now carries it, so it leaves the address bar and the history.
if (new URLSearchParams(location.search).has('access_token')) history.replaceState(null, '', location.pathname);

const nodes = new Map();
const panels = new Map();
const $ = (id) => document.getElementById(id);
const workloads = mountWorkloads($('workloads-section'), $('workloads'));
const ctx = {
  confirming: new Set(),
  results: new Map(),
  onReinstall,
  apps: (n) => nodeApps(n.name, workloads.current()),
};

const byTitle = (a, b) => nodeTitle(a).localeCompare(nodeTitle(b));

function cardOf(key) {
  return [...$('nodes').querySelectorAll('article.card')].find((el) => el.dataset.key === key);
}

function drawNode(n) {
  const next = renderNode(n, ctx);
  const old = cardOf(n.key);
  if (old) return swap(old, next);
  const after = [...nodes.values()].sort(byTitle).find((m) => byTitle(n, m) < 0 && cardOf(m.key));
  const container = $('nodes');
  container.querySelector(':scope > p.muted')?.remove();
  container.insertBefore(next, after ? cardOf(after.key) : null);
}

function drawAllNodes() {
  const container = $('nodes');
  const list = [...nodes.values()].sort(byTitle);
  container.replaceChildren(
    ...(list.length ? list.map((n) => renderNode(n, ctx)) : [h('p', { class: 'muted' }, 'No node seen yet.')]),
  );
}

/** The core folds records of one machine together (MAC → serial → UUID); the old key's card goes with it. */
function dropMerged(n) {
  const names = new Set([...(n.macs ?? []).map((m) => `mac:${m}`), n.serial && `serial:${n.serial}`, n.uuid]);
  for (const [key, old] of nodes) {
    if (key === n.key) continue;
    const same = names.has(key) || (n.serial && old.serial === n.serial) || old.macs?.some((m) => n.macs?.includes(m));
    if (!same) continue;
    nodes.delete(key);
    cardOf(key)?.remove();
  }
}

function drawCluster(c) {
  const name = c.cluster ?? c.name;
  let panel = panels.get(name);
  if (!panel) {
    panel = createClusterPanel(name);
    panels.set(name, panel);
    $('clusters').querySelector(':scope > p.muted')?.remove();
    $('clusters').append(panel.el);
  }
  panel.cluster = c;
  panel.update(c, [...nodes.values()]);
  $('clusters-heading').textContent = panels.size > 1 ? 'Clusters' : 'Cluster';
}

/** Workloads from the live stream; node cards list what runs on them, so they are redrawn too. */
function drawWorkloads(list) {
  if (list === undefined) return;
  workloads.draw(list, (cluster) => (panels.get(cluster)?.cluster?.nodes ?? []).map((n) => n.name).filter(Boolean));
  drawAllNodes();
}

function announce(text) {
  const list = $('changes');
  list.prepend(h('li', {}, h('time', {}, clock(Date.now())), ' ', text));
  while (list.children.length > 12) list.lastElementChild.remove();
}

function onSnapshot(s) {
  nodes.clear();
  for (const n of s.nodes ?? []) nodes.set(n.key, n);
  drawAllNodes();
  for (const c of s.clusters ?? []) drawCluster(c);
  drawWorkloads(s.workloads);
  void refreshMachines();
  void refreshConflicts();
  void getJson('/api/v1/site').then((site) => site && renderSite(site));
}

function upsertNode(n) {
  const before = nodes.get(n.key);
  if (before && JSON.stringify(before) === JSON.stringify(n)) return;
  dropMerged(n);
  nodes.set(n.key, n);
  drawNode(n);
  if (before && before.phase !== n.phase) announce(`${nodeTitle(n)}: ${PHASE_LABEL[n.phase] ?? n.phase}`);
  else if (!before) announce(`${nodeTitle(n)}: seen (${PHASE_LABEL[n.phase] ?? n.phase})`);
}

// A byte-progress event that moves no step carries no node in its delta; the bar's numbers come from a fresh
// snapshot then, at most four times a second.
let bytesTimer;
function refreshBytesSoon() {
  if (bytesTimer) return;
  bytesTimer = setTimeout(async () => {
    const s = await getJson('/api/v1/snapshot');
    bytesTimer = undefined;
    for (const n of s?.nodes ?? []) if (n.download) upsertNode(n);
  }, 250);
}

function onDelta(d) {
  for (const n of d.nodes ?? []) upsertNode(n);
  const type = d.event?.type ?? '';
  if ((type === 'http.progress' || type === 'tftp') && !(d.nodes ?? []).length) refreshBytesSoon();
  for (const c of d.clusters ?? []) {
    const before = panels.get(c.cluster)?.cluster;
    drawCluster(c);
    if (before?.label !== c.label) announce(`cluster ${c.name ?? c.cluster}: ${c.label}`);
  }
  // Node names and the plan change the override choices; keep every panel's lists current.
  if ((d.nodes ?? []).length > 0)
    for (const p of panels.values()) if (p.cluster) p.update(p.cluster, [...nodes.values()]);
  if (touchesMachines(type)) void refreshMachines();
  if (touchesConflicts(type)) void refreshConflicts();
  if (type === 'trust.conflict') announce(`conflict: ${d.event?.data?.subject ?? ''} held for your choice`);
  if (type.startsWith('operator.')) announce(`operator: ${type.slice('operator.'.length)}`);
}

async function onReinstall(n, step) {
  if (step === 'ask') ctx.confirming.add(n.key);
  if (step === 'cancel') ctx.confirming.delete(n.key);
  if (step === 'confirm') {
    ctx.confirming.delete(n.key);
    ctx.results.set(n.key, { ok: true, text: 'sending…' });
    drawNode(nodes.get(n.key) ?? n);
    const r = await call('POST', `/api/v1/devices/${encodeURIComponent(n.uuid)}/reinstall`);
    ctx.results.set(n.key, {
      ok: r.ok,
      text: r.ok ? 'Marked: it reinstalls on its next network boot.' : `Reinstall refused: ${r.text}`,
    });
  }
  drawNode(nodes.get(n.key) ?? n);
  cardOf(n.key)?.querySelector('[data-focus^="reinstall"]')?.focus();
}

function onState(state, why) {
  const el = $('live-state');
  el.dataset.state = state;
  document.body.dataset.live = state;
  el.textContent = { live: 'live', reconnecting: 'reconnecting…', refused: 'access refused' }[state] ?? state;
  const blocked = $('blocked');
  blocked.hidden = state !== 'refused';
  if (state === 'refused')
    blocked.textContent = `The appliance refused this page's access token (${why}). Open the URL that eveboot printed at start; it ends in /?access_token=…`;
}

connectLive({ onSnapshot, onDelta, onState, onWorkloads: drawWorkloads });
setInterval(() => tickRunning($('nodes')), 1000);
