// Entry module of a TFTP transfer worker thread (started by tftp-pool.ts). The request thread keeps
// port 69 and does the lookup; each worker owns the per-transfer sockets and timers of the transfers
// it is handed and posts their events back, so transfers use every core.
import { parentPort } from 'node:worker_threads';
import type { FromWorker, ToWorker } from './tftp-pool.js';
import { type RunningTransfer, runTransfer, type TftpEvent, type TftpLog } from './tftp-transfer.js';

const port = parentPort!;
const running = new Map<number, RunningTransfer>();

const post = (m: FromWorker) => {
  try {
    port.postMessage(m);
  } catch {
    // A log object that cannot be cloned: drop the object, keep the message.
    if (m.type === 'log') port.postMessage({ ...m, obj: {} });
  }
};
const logAt =
  (level: 'debug' | 'info' | 'warn') =>
  (obj: object, msg?: string): void =>
    post({ type: 'log', level, obj, msg });
const log: TftpLog = { debug: logAt('debug'), info: logAt('info'), warn: logAt('warn') };

port.on('message', (m: ToWorker) => {
  switch (m.type) {
    case 'start': {
      let ended = false;
      let last: TftpEvent | undefined;
      runTransfer({
        ...m.job,
        log,
        emit: (event) => {
          if (event.done) last = event;
          else post({ type: 'event', id: m.id, event });
        },
        onEnd: () => {
          ended = true;
          running.delete(m.id);
          post({ type: 'end', id: m.id, event: last });
        },
      }).then(
        (t) => {
          if (!ended) running.set(m.id, t);
          post({ type: 'started', id: m.id });
        },
        (err: Error) => post({ type: 'failed', id: m.id, message: err.message }),
      );
      return;
    }
    case 'stop':
      running.get(m.id)?.stop(m.reason, m.tellClient);
      return;
  }
});
post({ type: 'ready' });
