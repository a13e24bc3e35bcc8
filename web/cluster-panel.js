// One panel per cluster: name, prefix, seed and why, quorum 0/3..3/3 with its evidence and what is missing, the
// sealed-token count (never the token), and degraded or failed states naming the node that is down. The
// override form is built once per panel and kept across live updates, so an update never eats what is typed.
import { call } from './api.js';
import { h, swap } from './dom.js';

const KIND_CLASS = { ready: 'good', degraded: 'warn', failed: 'bad' };

function quorumMeter(q) {
  const [live, of] = String(q ?? '0/3')
    .split('/')
    .map(Number);
  return h(
    'span',
    { class: 'quorum', role: 'img', 'aria-label': `quorum ${live} of ${of}` },
    Array.from({ length: of || 3 }, (_, i) => h('span', { class: i < live ? 'pip on' : 'pip' })),
    h('strong', {}, ` ${q}`),
  );
}

function list(title, items, cls) {
  if (!items?.length) return null;
  return h(
    'div',
    { class: `why ${cls}` },
    h('h4', {}, title),
    h(
      'ul',
      {},
      items.map((x) => h('li', {}, x)),
    ),
  );
}

function planTable(nodes) {
  const th = (t) => h('th', { scope: 'col' }, t);
  return h(
    'table',
    { class: 'plan' },
    h('caption', {}, 'Plan'),
    h('thead', {}, h('tr', {}, th('Node'), th('Role'), th('Cluster IP'))),
    h(
      'tbody',
      {},
      nodes.map((n) => h('tr', {}, h('td', {}, n.name), h('td', {}, n.role), h('td', {}, n.ip))),
    ),
  );
}

function summary(c) {
  const down = c.down?.length ? c.down.join(', ') : '';
  return h(
    'div',
    { class: 'cluster-live' },
    h(
      'header',
      { class: 'card-head' },
      h('h3', {}, c.name ?? c.cluster),
      h('span', { class: `badge cluster-${KIND_CLASS[c.kind] ?? c.kind}` }, c.label ?? c.state),
    ),
    down
      ? h(
          'p',
          { class: `problem ${c.kind === 'failed' ? 'failed' : 'stalled'}` },
          h('strong', {}, c.kind === 'failed' ? 'Failed: ' : 'Degraded: '),
          `${down} ${c.down.length === 1 ? 'is' : 'are'} down`,
        )
      : null,
    h(
      'dl',
      { class: 'ids' },
      h('div', {}, h('dt', {}, 'Prefix'), h('dd', {}, c.prefix ?? 'not planned yet')),
      h('div', {}, h('dt', {}, 'Seed'), h('dd', { class: 'seed' }, c.seed ?? 'not chosen yet')),
      c.seedWhy ? h('div', {}, h('dt', {}, 'Why this seed'), h('dd', {}, c.seedWhy)) : null,
      h('div', {}, h('dt', {}, 'Quorum'), h('dd', {}, quorumMeter(c.quorum), c.basis ? ` (${c.basis})` : '')),
      h('div', {}, h('dt', {}, 'Join token'), h('dd', { class: 'sealed' }, c.tokenSealed)),
      c.id ? h('div', {}, h('dt', {}, 'Cluster ID'), h('dd', { class: 'hash' }, c.id)) : null,
    ),
    c.nodes?.length ? planTable(c.nodes) : h('p', { class: 'muted' }, 'No plan yet: waiting for the nodes.'),
    list('Planned without', c.planMissing, 'missing'),
    h('div', { class: 'why-col' }, list('Evidence', c.evidence, 'evidence'), list('Missing', c.missing, 'missing')),
  );
}

/** Who can be the seed, or get an interface override: the plan's nodes once planned, else every node card. */
function candidates(c, nodes) {
  if (c.nodes?.length) return c.nodes.map((n) => ({ value: n.uuid, label: n.name, uuid: n.uuid }));
  return nodes
    .filter((n) => n.uuid || n.serial || n.name)
    .map((n) => ({ value: n.uuid ?? n.serial ?? n.name, label: n.name ?? n.serial ?? n.key, uuid: n.uuid }));
}

function fillSelect(select, options) {
  if (document.activeElement === select) return;
  const want = JSON.stringify(options.map((o) => [o.value, o.label]));
  if (select.dataset.options === want) return;
  const keep = select.value;
  select.replaceChildren(...options.map((o) => h('option', { value: o.value }, o.label)));
  select.dataset.options = want;
  if (options.some((o) => o.value === keep)) select.value = keep;
}

function overrideForm(name) {
  const uid = `ovr-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;
  const result = h('p', { class: 'result', role: 'status', id: `${uid}-result` });
  const show = (r, ok) => {
    result.textContent = r;
    result.classList.toggle('error', !ok);
  };
  const put = async (body, what) => {
    show('sending…', true);
    const r = await call('PUT', `/api/v1/clusters/${encodeURIComponent(name)}/overrides`, body);
    show(r.ok ? `${what}: accepted; the cluster is replanned with it.` : `${what} refused: ${r.text}`, r.ok);
  };
  const seed = h('select', { id: `${uid}-seed`, name: 'seed' });
  const ifNode = h('select', { id: `${uid}-if-node`, name: 'node' });
  const ifLabel = h('input', {
    id: `${uid}-if-label`,
    name: 'interface',
    placeholder: 'eth1',
    autocomplete: 'off',
    size: 8,
  });
  const form = h(
    'details',
    { class: 'overrides' },
    h('summary', {}, 'Override the seed or a cluster interface'),
    h('p', { class: 'muted' }, 'Open until the configs go out to the nodes; the appliance refuses them afterwards.'),
    h(
      'form',
      {
        class: 'row',
        onsubmit: (e) => {
          e.preventDefault();
          if (!seed.value) return show('No node to pick yet.', false);
          put({ seed: seed.value }, `Seed ${seed.selectedOptions[0]?.text ?? seed.value}`);
        },
      },
      h('label', { for: seed.id }, 'Seed'),
      seed,
      h('button', { type: 'submit' }, 'Set seed'),
    ),
    h(
      'form',
      {
        class: 'row',
        onsubmit: (e) => {
          e.preventDefault();
          if (!ifNode.value || !ifLabel.value.trim())
            return show('Pick an onboarded node and type an interface name.', false);
          put({ interfaces: { [ifNode.value]: ifLabel.value.trim() } }, `Interface ${ifLabel.value.trim()}`);
        },
      },
      h('label', { for: ifNode.id }, 'Cluster interface of'),
      ifNode,
      h('label', { for: ifLabel.id, class: 'sr' }, 'Interface name'),
      ifLabel,
      h('button', { type: 'submit' }, 'Set interface'),
    ),
    result,
  );
  return { form, seed, ifNode };
}

/** Mints an admin kubeconfig (POST, audited) and hands it to the browser as a file; the page never shows it. */
function kubeconfigControl(name) {
  const uid = `kcfg-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;
  const result = h('p', { class: 'result', role: 'status', id: `${uid}-result` });
  const show = (text, ok) => {
    result.textContent = text;
    result.classList.toggle('error', !ok);
  };
  const button = h(
    'button',
    {
      type: 'button',
      id: uid,
      disabled: true,
      'aria-describedby': result.id,
      onclick: async () => {
        show('asking the seed…', true);
        const r = await call('POST', `/api/v1/clusters/${encodeURIComponent(name)}/kubeconfig`);
        if (!r.ok) return show(`No kubeconfig: ${r.text}`, false);
        const file = `${name}.kubeconfig`;
        const url = URL.createObjectURL(new Blob([r.text], { type: 'application/yaml' }));
        h('a', { href: url, download: file }).click();
        setTimeout(() => URL.revokeObjectURL(url), 10_000);
        show(`Saved ${file}: it holds a cluster-admin key, so keep it like a password.`, true);
      },
    },
    'Download admin kubeconfig',
  );
  const el = h(
    'div',
    { class: 'row kubeconfig' },
    button,
    h('span', { class: 'muted' }, 'Offered once the cluster is Ready.'),
    result,
  );
  return { el, button };
}

export function createClusterPanel(name) {
  const el = h('section', { class: 'cluster', 'aria-label': `Cluster ${name}`, dataset: { cluster: name } });
  let live = h('div');
  const { form, seed, ifNode } = overrideForm(name);
  const kube = kubeconfigControl(name);
  el.append(live, kube.el, form);
  return {
    el,
    update(c, nodes) {
      el.dataset.kind = c.kind;
      kube.button.disabled = c.kind !== 'ready';
      const next = summary(c);
      swap(live, next);
      live = next;
      const all = candidates(c, nodes);
      fillSelect(seed, all);
      fillSelect(
        ifNode,
        all.filter((o) => o.uuid),
      );
    },
  };
}
