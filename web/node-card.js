// One card per node: who it is, its role in the cluster, and its timeline from power-on to cluster membership.
// A failed or stalled step says what happened and what to do. The ECDH cert appears as its hash only; the join
// token is never part of a view, so it cannot reach this page.
import { h } from './dom.js';
import { bytes, clock, duration, rate, shortHash } from './format.js';

export const PHASE_LABEL = {
  netboot: 'network boot',
  installing: 'installing',
  onboarding: 'onboarding',
  clustering: 'joining the cluster',
  ready: 'ready',
  failed: 'failed',
  down: 'down',
};

const MARK = { done: '✓', active: '●', pending: '○', skipped: '–', failed: '✕' };
const STATUS_WORD = { done: 'done', active: 'in progress', pending: 'not yet', skipped: 'skipped', failed: 'failed' };

export function nodeTitle(n) {
  return n.name ?? n.serial ?? n.key;
}

export function domId(key) {
  return `node-${String(key).replace(/[^A-Za-z0-9_-]/g, '-')}`;
}

function fact(term, value, opts = {}) {
  if (value === undefined || value === null || value === '') return null;
  return h('div', {}, h('dt', {}, term), h('dd', { class: opts.class, title: opts.title }, value));
}

function problemBox(p) {
  const word = p.kind === 'stalled' ? 'Stalled' : 'Failed';
  return h(
    'div',
    { class: `problem ${p.kind}` },
    h('p', {}, h('strong', {}, `${word}${p.code ? ` (${p.code})` : ''}: `), p.what),
    h('p', { class: 'todo' }, h('strong', {}, 'What to do: '), p.todo),
  );
}

function progress(n, d) {
  const flowing = d.percent < 100;
  const parts = [`${d.percent.toFixed(1)}%`, `${bytes(d.bytes)} of ${bytes(d.total)}`];
  if (flowing && d.rateBps) parts.push(rate(d.rateBps));
  if (flowing && typeof d.etaMs === 'number') parts.push(`ETA ${duration(d.etaMs)}`);
  parts.push(`${d.files} file${d.files === 1 ? '' : 's'}`);
  return h(
    'div',
    { class: 'download' },
    h('progress', { max: 100, value: d.percent, 'aria-label': `Bytes to ${nodeTitle(n)}`, class: 'bar' }),
    h('p', { class: 'download-text' }, parts.join(' · ')),
  );
}

function stepItem(s, n) {
  const time = s.endedAt ?? s.startedAt;
  const when = [];
  if (typeof time === 'number') when.push(h('time', { datetime: new Date(time).toISOString() }, clock(time)));
  if (typeof s.durationMs === 'number') when.push(h('span', { class: 'dur' }, duration(s.durationMs)));
  else if (s.status === 'active' && typeof s.startedAt === 'number')
    when.push(h('span', { class: 'dur running', dataset: { since: String(s.startedAt) } }, ''));
  return h(
    'li',
    { class: `step ${s.status}${s.problem ? ` has-problem ${s.problem.kind}` : ''}`, dataset: { step: s.id } },
    h('span', { class: 'mark', 'aria-hidden': 'true' }, MARK[s.status] ?? '?'),
    h(
      'div',
      { class: 'step-body' },
      h('span', { class: 'step-label' }, s.label ?? s.id),
      h('span', { class: 'sr' }, `: ${STATUS_WORD[s.status] ?? s.status}`),
      when.length > 0 ? h('span', { class: 'when' }, when) : null,
      s.detail ? h('span', { class: 'detail' }, s.detail) : null,
      s.problem ? h('span', { class: 'step-problem' }, s.problem.what) : null,
      s.id === 'download' && n.download ? progress(n, n.download) : null,
    ),
  );
}

/** Steps skipped for one reason (a USB install skips the five network-boot steps) read as one line. */
function timeline(n) {
  const items = [];
  for (let i = 0; i < n.steps.length; i++) {
    const s = n.steps[i];
    let j = i;
    while (s.status === 'skipped' && n.steps[j + 1]?.status === 'skipped' && n.steps[j + 1].detail === s.detail) j++;
    if (j === i) {
      items.push(stepItem(s, n));
      continue;
    }
    const group = n.steps.slice(i, j + 1);
    items.push(stepItem({ ...s, label: group.map((x) => x.label ?? x.id).join(', ') }, n));
    i = j;
  }
  return items;
}

/**
 * ctx: {confirming: Set of keys asking "really reinstall?", results: Map key → {ok, text}, onReinstall(n, step)}
 * where step is 'ask' | 'confirm' | 'cancel'.
 */
export function renderNode(n, ctx) {
  const id = domId(n.key);
  const title = nodeTitle(n);
  const reinstall = [];
  if (n.uuid) {
    if (ctx.confirming.has(n.key)) {
      reinstall.push(
        h(
          'button',
          {
            type: 'button',
            class: 'danger',
            dataset: { focus: 'reinstall-confirm' },
            onclick: () => ctx.onReinstall(n, 'confirm'),
          },
          `Confirm: reinstall ${title} on its next network boot`,
        ),
        h(
          'button',
          { type: 'button', dataset: { focus: 'reinstall-cancel' }, onclick: () => ctx.onReinstall(n, 'cancel') },
          'Cancel',
        ),
      );
    } else {
      reinstall.push(
        h(
          'button',
          { type: 'button', dataset: { focus: 'reinstall' }, onclick: () => ctx.onReinstall(n, 'ask') },
          'Mark for reinstall…',
        ),
      );
    }
  }
  const result = ctx.results.get(n.key);
  return h(
    'article',
    { class: `card phase-${n.phase}`, id, 'aria-labelledby': `${id}-title`, dataset: { key: n.key, phase: n.phase } },
    h(
      'header',
      { class: 'card-head' },
      h('h3', { id: `${id}-title` }, title),
      h('span', { class: `badge phase-${n.phase}` }, PHASE_LABEL[n.phase] ?? n.phase),
    ),
    h(
      'dl',
      { class: 'ids' },
      fact('Role', n.role),
      fact('Cluster IP', n.clusterIp),
      fact('Serial', n.serial),
      fact('UUID', n.uuid, { class: 'hash' }),
      fact('MACs', n.macs?.length ? n.macs.join(', ') : undefined),
      fact('Via', n.via && n.via !== 'unknown' ? n.via.toUpperCase() : undefined),
      fact('ECDH cert', n.ecdhCertHash ? shortHash(n.ecdhCertHash) : undefined, {
        class: 'hash',
        title: n.ecdhCertHash ? `SHA-256 of the TPM ECDH cert: ${n.ecdhCertHash}` : undefined,
      }),
    ),
    n.problem ? problemBox(n.problem) : null,
    n.ports?.length ? portsTable(n) : null,
    ctx.apps?.(n),
    h('ol', { class: 'timeline', 'aria-label': `Timeline of ${title}` }, timeline(n)),
    reinstall.length > 0 || result
      ? h(
          'footer',
          { class: 'card-actions' },
          reinstall,
          h('p', { class: `result${result && !result.ok ? ' error' : ''}`, role: 'status' }, result?.text ?? ''),
        )
      : null,
  );
}

/** The node's NIC inventory (iPXE report, DHCP sightings, EVE ports, hardware speeds), cluster port marked. */
function portsTable(n) {
  const cluster = n.ports.find((p) => p.cluster);
  return h(
    'details',
    { class: 'ports' },
    h('summary', {}, `Network ports (${n.ports.length})${cluster ? ` · cluster port ${cluster.ifname}` : ''}`),
    h(
      'table',
      {},
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Port', 'MAC', 'Link', 'Speed', 'IPv4', 'Cluster'].map((t) => h('th', { scope: 'col' }, t)),
        ),
      ),
      h(
        'tbody',
        {},
        n.ports.map((p) =>
          h(
            'tr',
            { class: p.cluster ? 'cluster-port' : '' },
            h('td', {}, p.ifname || '?'),
            h('td', { class: 'hash' }, p.mac),
            h('td', {}, p.up === undefined ? 'unknown' : p.up ? 'up' : 'down'),
            h(
              'td',
              {},
              p.speedMbps ? `${p.speedMbps >= 1000 ? `${p.speedMbps / 1000} Gb/s` : `${p.speedMbps} Mb/s`}` : '',
            ),
            h('td', {}, (p.ipv4 ?? []).join(', ')),
            h('td', {}, p.cluster ? '✓' : ''),
          ),
        ),
      ),
    ),
    cluster?.why ? h('p', { class: 'why' }, `Why ${cluster.ifname}: ${cluster.why}`) : null,
  );
}

/** Running durations of active steps, refreshed by the page's one-second tick. */
export function tickRunning(root, now = Date.now()) {
  for (const el of root.querySelectorAll('.dur.running')) {
    const since = Number(el.dataset.since);
    el.textContent = Number.isFinite(since) ? `running ${duration(Math.max(0, now - since))}` : '';
  }
}
