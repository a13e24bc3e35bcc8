// A small element builder: text always goes in as text nodes, never as HTML, so nothing the appliance reports
// (serials, problem texts) can inject markup.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'value' || k === 'max') el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/**
 * Replaces `old` with `next`, keeping keyboard focus: the element with the same data-focus id in the new tree
 * takes it back, so a live update never throws the operator's focus to the top of the page.
 */
export function swap(old, next) {
  const active = document.activeElement;
  const focusId = old.contains(active) ? active?.dataset?.focus : undefined;
  old.replaceWith(next);
  if (focusId) next.querySelector(`[data-focus="${CSS.escape(focusId)}"]`)?.focus();
}
