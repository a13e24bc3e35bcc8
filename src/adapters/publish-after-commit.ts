// Events leave the process (headless stdout, SSE, the record log) only after the transaction that stored them
// has ended. Services emit inside Store.tx (the plan and its cluster.planned event commit together); announcing
// the event first would let a kill -9 right after it leave an announced plan that was never stored, and the
// restarted appliance would plan again. Both stores run tx synchronously, so "after" is when the outermost
// tx returns or throws (a rolled-back tx still publishes, as before: refusals are reported).
import type { Store } from '../ports/store.js';

export function publishAfterCommit(store: Store): { store: Store; publish: (fn: () => void) => void } {
  let depth = 0;
  const pending: (() => void)[] = [];
  const flush = () => {
    while (pending.length > 0) pending.shift()!();
  };
  const tx = <T>(fn: () => T): T => {
    depth++;
    try {
      return store.tx(fn);
    } finally {
      depth--;
      if (depth === 0) flush();
    }
  };
  const wrapped = new Proxy(store, {
    get(target, prop) {
      if (prop === 'tx') return tx;
      const v = Reflect.get(target, prop, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  return {
    store: wrapped,
    publish: (fn) => {
      if (depth === 0) fn();
      else pending.push(fn);
    },
  };
}
