// Adaptive retransmission timeout, after TCP's RFC 6298 estimator: smoothed RTT plus four deviations,
// exponential backoff on timeout, Karn's rule (no samples from retransmitted bursts) in the caller.
// A fixed 3 s timer is what made the npm `tftp` package 3x slower than tftpd-hpa under 1% loss.

export interface RetransmitConfig {
  /** First timeout, before any round trip has been measured. */
  initialMs: number;
  /** Floor; keeps spurious retransmits rare for slow firmware clients. */
  minMs: number;
  /** Ceiling for backoff. */
  maxMs: number;
  /** Consecutive timeouts without progress before the transfer is abandoned. */
  maxRetries: number;
}

export const defaultRetransmit: RetransmitConfig = { initialMs: 400, minMs: 100, maxMs: 3000, maxRetries: 6 };

export interface Rto {
  srtt: number | null;
  rttvar: number;
  current: number;
  /** Ceiling: the configured maximum, lowered to the client's RFC 2349 `timeout` when it sent one. */
  maxMs: number;
}

/**
 * RFC 2349 `timeout` is the longest the client wants us to wait before retransmitting, so it caps
 * the adaptive timer instead of replacing it: curl always asks for `timeout 6`, and a fixed 6 s
 * interval would make every lost DATA packet cost 6 s.
 */
export function initialRto(cfg: RetransmitConfig, clientTimeoutMs: number | null): Rto {
  const maxMs = Math.min(cfg.maxMs, clientTimeoutMs ?? cfg.maxMs);
  return { srtt: null, rttvar: 0, current: Math.min(cfg.initialMs, maxMs), maxMs };
}

/** RFC 6298 §2.2–2.3 with alpha 1/8, beta 1/4, K 4. */
export function sampleRtt(rto: Rto, rttMs: number, cfg: RetransmitConfig): Rto {
  const r = Math.max(0, rttMs);
  const srtt = rto.srtt === null ? r : 0.875 * rto.srtt + 0.125 * r;
  const rttvar = rto.srtt === null ? r / 2 : 0.75 * rto.rttvar + 0.25 * Math.abs(rto.srtt - r);
  const current = Math.min(rto.maxMs, Math.max(Math.min(cfg.minMs, rto.maxMs), srtt + 4 * rttvar));
  return { srtt, rttvar, current, maxMs: rto.maxMs };
}

/** RFC 6298 §5.5: double on timeout, bounded. */
export function backoff(rto: Rto): Rto {
  return { ...rto, current: Math.min(rto.maxMs, rto.current * 2) };
}
