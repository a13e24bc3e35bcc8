// The Workloads panel: per cluster, one row per app with its designated and effective node, phase and why, EVE's
// state, download progress, its history of moves, and a Move action. A manual move only changes the designated
// node; EVE does not restart a running VM for it, so it stays pending until the VM is next recreated (the
// appliance's answer says so). Each row's move form is built once and kept across live updates.
import { call } from './api.js';
import { h, swap } from './dom.js';
import { clock, duration } from './format.js';

export const APP_PHASE_LABEL = {
  waiting: 'waiting for cluster Ready',
  deploying: 'deploying',
  running: 'running',
  stale: 'stale report',
  conflict: 'conflicting reports',
  'down-with-node': 'down with its node',
  moving: 'moving',
  error: 'error',
};

const PHASE_CLASS = { running: 'good', 'down-with-node': 'bad', error: 'bad', conflict: 'warn', stale: 'warn' };

const uid = (...parts) => parts.join('-').replace(/[^A-Za-z0-9_-]/g, '-');

function fact(term, value, cls) {
  return h('div', {}, h('dt', {}, term), h('dd', { class: cls }, value));
}

function moveItem(m) {
  const why = { failover: 'failover', manual: 'manual move', unknown: 'cause unknown' }[m.reason] ?? m.reason;
  return h(
    'li',
    { class: 'move', dataset: { from: m.fromNode, to: m.toNode } },
    h('strong', {}, `${m.fromNode} → ${m.toNode}`),
    ' ',
    h('time', { datetime: new Date(m.runningAt).toISOString() }, clock(m.runningAt)),
    h('span', { class: 'muted' }, ` · took ${duration(m.tookMs ?? m.runningAt - m.lostAt)} · ${why}`),
  );
}

function download(a) {
  if (typeof a.downloadPercent !== 'number') return null;
  return h(
    'span',
    { class: 'download app-download' },
    h('progress', { max: 100, value: a.downloadPercent, class: 'bar', 'aria-label': `Download of ${a.name}` }),
    ` ${a.downloadPercent.toFixed(0)}%`,
  );
}

/** The part of an app row that follows the live stream (rebuilt on every change). */
function appLive(a, waiting) {
  const phase = APP_PHASE_LABEL[a.phase] ?? a.phase;
  return h(
    'div',
    { class: 'app-live' },
    h(
      'header',
      { class: 'card-head' },
      h('h4', {}, a.name, h('span', { class: 'muted' }, ` ${a.kind} · ${a.affinity}`)),
      h('span', { class: `badge app-${PHASE_CLASS[a.phase] ?? 'neutral'}` }, phase),
    ),
    h(
      'dl',
      { class: 'ids' },
      fact('Designated node', a.designatedNode, 'designated'),
      fact('Effective node', a.effectiveNode ?? 'not running anywhere', 'effective'),
      fact('State', a.state ?? 'not reported'),
      download(a) ? fact('Download', download(a)) : null,
    ),
    // Before Ready, the cluster's one sentence says it all; otherwise the app's own why.
    a.phase === 'waiting' && waiting
      ? h('p', { class: 'app-note waiting' }, `Waiting for cluster Ready: ${waiting}`)
      : a.detail
        ? h('p', { class: `app-note detail phase-${a.phase}` }, a.detail)
        : null,
    a.pendingMove
      ? h(
          'p',
          { class: 'app-note pending' },
          h('strong', {}, `Move to ${a.pendingMove.toNode} pending until the VM is next recreated. `),
          a.pendingMove.explanation,
        )
      : null,
    a.moves?.length
      ? h(
          'div',
          { class: 'moves' },
          h('h5', {}, 'Moves'),
          h(
            'ol',
            {},
            a.moves.map((m) => moveItem(m)),
          ),
        )
      : h('p', { class: 'muted moves-none' }, 'No move so far.'),
  );
}

function fillNodes(select, nodes, except) {
  if (document.activeElement === select) return;
  const options = nodes.filter((n) => n !== except);
  const want = JSON.stringify(options);
  if (select.dataset.options === want) return;
  const keep = select.value;
  select.replaceChildren(...options.map((n) => h('option', { value: n }, n)));
  select.dataset.options = want;
  if (options.includes(keep)) select.value = keep;
}

/** One app row: the live part, and a move form that survives live updates. */
function createAppRow(cluster, name) {
  const id = uid('app', cluster, name);
  const select = h('select', { id: `${id}-node`, name: 'node' });
  const result = h('p', { class: 'result', role: 'status', id: `${id}-result` });
  const show = (text, ok) => {
    result.textContent = text;
    result.classList.toggle('error', !ok);
  };
  const form = h(
    'form',
    {
      class: 'row app-move',
      onsubmit: async (e) => {
        e.preventDefault();
        if (!select.value) return show('No other node to move to.', false);
        show('sending…', true);
        const path = `/api/v1/clusters/${encodeURIComponent(cluster)}/apps/${encodeURIComponent(name)}/move`;
        const r = await call('POST', path, { node: select.value });
        if (r.ok)
          show(`Accepted: move to ${r.json?.toNode ?? select.value} is pending. ${r.json?.explanation ?? ''}`, true);
        else show(`Move refused: ${r.text}`, false);
      },
    },
    h('label', { for: select.id }, 'Move to'),
    select,
    h('button', { type: 'submit', 'aria-describedby': result.id }, 'Move'),
  );
  let live = h('div');
  const el = h('article', { class: 'app', id, dataset: { app: name } }, live, form, result);
  return {
    el,
    update(a, nodes, waiting) {
      Object.assign(el.dataset, { phase: a.phase, designated: a.designatedNode, effective: a.effectiveNode ?? '' });
      const next = appLive(a, waiting);
      swap(live, next);
      live = next;
      fillNodes(select, nodes, a.designatedNode);
    },
  };
}

function networkLine(n) {
  const states = n.nodes
    .map((x) => `${x.node}: ${x.state ?? 'not reported'}${x.error ? ` (${x.error})` : ''}`)
    .join(', ');
  return h('li', {}, h('strong', {}, n.name), ` ${n.kind} on ${n.port}${n.subnet ? ` ${n.subnet}` : ''} — ${states}`);
}

function volumeLine(v) {
  const progress = typeof v.progressPercent === 'number' ? ` ${v.progressPercent}%` : '';
  return h(
    'li',
    {},
    h('strong', {}, v.name),
    ` ${v.replicated ? 'replicated' : 'not replicated'}, on ${v.designatedNode}: ${v.state ?? 'not reported'}${progress}`,
    v.error ? h('span', { class: 'error' }, ` ${v.error}`) : null,
  );
}

/** One cluster's workloads: its app rows (kept by name) and its networks and volumes. */
export function createWorkloadsPanel(cluster) {
  const rows = new Map();
  const list = h('div', { class: 'apps' });
  let waitingEl = h('p');
  let infra = h('div');
  const el = h(
    'section',
    { class: 'workloads', 'aria-label': `Workloads of ${cluster}`, dataset: { cluster } },
    h('h3', {}, `Workloads of ${cluster}`),
    waitingEl,
    list,
    infra,
  );
  return {
    el,
    update(w, nodes) {
      el.dataset.ready = String(w.ready);
      const why = !w.ready ? `Not deployed: ${w.waiting}` : w.held?.length ? `Not sent: ${w.held.join('; ')}` : '';
      const nextWaiting = why ? h('p', { class: 'app-note waiting' }, why) : h('p', { hidden: true });
      swap(waitingEl, nextWaiting);
      waitingEl = nextWaiting;
      const seen = new Set();
      for (const a of w.apps) {
        seen.add(a.name);
        let row = rows.get(a.name);
        if (!row) {
          row = createAppRow(cluster, a.name);
          rows.set(a.name, row);
        }
        list.append(row.el);
        row.update(a, nodes, w.ready ? undefined : w.waiting);
      }
      for (const [name, row] of rows) {
        if (seen.has(name)) continue;
        row.el.remove();
        rows.delete(name);
      }
      const nextInfra = h(
        'div',
        { class: 'why-col' },
        w.networks.length
          ? h('div', { class: 'why' }, h('h4', {}, 'Networks'), h('ul', {}, w.networks.map(networkLine)))
          : null,
        w.volumes.length
          ? h('div', { class: 'why' }, h('h4', {}, 'Volumes'), h('ul', {}, w.volumes.map(volumeLine)))
          : null,
      );
      swap(infra, nextInfra);
      infra = nextInfra;
    },
  };
}

/** What a node card lists: apps running there, and apps designated to it that run elsewhere (or nowhere). */
export function nodeApps(nodeName, workloads) {
  if (!nodeName || !workloads?.length) return null;
  const here = [];
  for (const w of workloads) {
    for (const a of w.apps) {
      const phase = APP_PHASE_LABEL[a.phase] ?? a.phase;
      if (a.effectiveNode === nodeName)
        here.push(h('li', { dataset: { app: a.name } }, h('strong', {}, a.name), ` ${phase}`));
      else if (a.designatedNode === nodeName)
        here.push(
          h(
            'li',
            { class: 'muted', dataset: { app: a.name } },
            h('strong', {}, a.name),
            ` designated here, ${a.effectiveNode ? `runs on ${a.effectiveNode}` : phase}`,
          ),
        );
    }
  }
  return h(
    'div',
    { class: 'node-apps' },
    h('h4', {}, 'Workloads'),
    here.length ? h('ul', {}, here) : h('p', { class: 'muted' }, 'Nothing runs here.'),
  );
}

/**
 * The page's Workloads section: one panel per cluster, shown once any cluster declares workloads. `draw` takes
 * the list from the live stream (snapshot and `workloads` events) and the node names each cluster can move to.
 */
export function mountWorkloads(section, container) {
  const panels = new Map();
  let current = [];
  return {
    current: () => current,
    draw(list, nodeNamesOf) {
      current = list ?? [];
      for (const w of current) {
        let panel = panels.get(w.cluster);
        if (!panel) {
          panel = createWorkloadsPanel(w.cluster);
          panels.set(w.cluster, panel);
          container.append(panel.el);
        }
        const names = nodeNamesOf(w.cluster);
        panel.update(w, names.length ? names : [...new Set(w.apps.map((a) => a.designatedNode))]);
      }
      section.hidden = !current.some((w) => w.apps.length || w.networks.length || w.volumes.length);
    },
  };
}
