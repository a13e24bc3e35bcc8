// The one live-stream client: a full snapshot on connect, then deltas. EventSource reconnects by itself after a
// dropped connection (and gets a fresh snapshot); when the appliance refuses the stream outright it closes, so we
// ask why: a 403 means the access token is gone or wrong, anything else is retried with a growing pause.
import { call } from './api.js';

export function connectLive({ onSnapshot, onDelta, onState, onWorkloads }) {
  let source;
  let pause = 1000;
  let timer;

  const open = () => {
    source = new EventSource('/api/v1/live', { withCredentials: true });
    source.addEventListener('open', () => {
      pause = 1000;
      onState('live');
    });
    source.addEventListener('snapshot', (e) => onSnapshot(JSON.parse(e.data)));
    source.addEventListener('delta', (e) => onDelta(JSON.parse(e.data)));
    source.addEventListener('workloads', (e) => onWorkloads?.(JSON.parse(e.data)));
    source.addEventListener('error', () => {
      if (source.readyState === EventSource.CONNECTING) return onState('reconnecting');
      source.close();
      void diagnose();
    });
  };

  const diagnose = async () => {
    const r = await call('GET', '/api/v1/snapshot');
    if (r.status === 403) return onState('refused', r.text);
    onState('reconnecting');
    clearTimeout(timer);
    timer = setTimeout(open, pause);
    pause = Math.min(pause * 2, 15_000);
  };

  open();
  return {
    close() {
      clearTimeout(timer);
      source?.close();
    },
  };
}
