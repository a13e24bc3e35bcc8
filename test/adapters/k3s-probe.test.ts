import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createK3sProbe, memoryPin, type ProbeTarget } from '../../src/adapters/k3s-probe.js';
import { evaluateReadiness } from '../../src/core/readiness/evaluate.js';
import { kubeClusterView, type ProbeResult } from '../../src/core/readiness/observation.js';
import { K3sFleet, LoopbackMap } from '../../src/sim/k3s-fleet.js';
import { K3sStandin } from '../../src/sim/k3s-standin.js';

const ID = '5b0f3a5e-8d2c-4a7e-9a61-0c1d2e3f4a5b';
const TOKEN = 'dG9wLXNlY3JldC1jbHVzdGVyLXRva2VuLTEyMzQ1';
const IPS = ['10.244.244.1', '10.244.244.2', '10.244.244.3', '10.244.244.9'];
const NODES = IPS.slice(0, 3).map((ip, i) => ({
  uuid: `0000000${i + 1}-0000-4000-8000-000000000000`,
  name: `node-${i + 1}`,
  clusterIp: ip,
}));
const TARGETS: ProbeTarget[] = NODES.map((n) => ({ uuid: n.uuid, name: n.name, ip: n.clusterIp }));
const FAST = { startMs: 20, readyMs: 30, pollMs: 10, joinMs: 10 };
const plan = {
  clusterId: ID,
  seedUuid: NODES[0]!.uuid,
  nodes: NODES.map((n) => ({
    uuid: n.uuid,
    name: n.name,
    ip: n.clusterIp,
    ipPrefix: '',
    interfaceLabel: '',
    ifname: '',
    mac: '',
    why: '',
    role: 'joiner' as const,
  })),
};

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

async function readyCluster() {
  const map = await LoopbackMap.free(IPS);
  const logs: string[] = [];
  const fleet = new K3sFleet({ clusterId: ID, joinServerIp: IPS[0]!, map, delays: FAST, log: (m) => logs.push(m) });
  cleanup.push(() => fleet.stop());
  const all = await Promise.all(NODES.map((n) => fleet.startNode(n, TOKEN)));
  await Promise.all(all.map((s) => s.whenMember()));
  return { map, fleet, logs, seed: all[0]! };
}

/** Polls the probe until a condition holds (the stand-in's readyz turns 200 after its configured delay). */
async function probeUntil(
  probeAll: () => Promise<ProbeResult[]>,
  done: (r: ProbeResult[]) => boolean,
): Promise<ProbeResult[]> {
  for (let i = 0; i < 200; i++) {
    const r = await probeAll();
    if (done(r)) return r;
    await new Promise((res) => setTimeout(res, 10));
  }
  throw new Error('condition never held');
}

describe('K3s probe against the stand-in on loopback', () => {
  it('pins the CA on first use, verifies later probes against it, and proves readiness', async () => {
    const { map, seed } = await readyCluster();
    const pin = memoryPin();
    const probe = createK3sProbe({ clusterId: ID, token: () => TOKEN, pin, map: map.route, timeoutMs: 1000 });
    const first = await probe.probe(TARGETS[0]!);
    expect(first.cacerts.pin).toBe('pinned-now');
    const caPem = (seed as unknown as { ca: { server: { certPem: string } } }).ca.server.certPem;
    expect(pin.get()?.sha256).toBe(createHash('sha256').update(caPem).digest('hex'));
    const results = await probeUntil(
      () => Promise.all(TARGETS.map((t) => probe.probe(t))),
      (r) => r.every((p) => p.readyz.ok && p.dbInfo.members?.length === 3),
    );
    for (const r of results) {
      expect(r.cacerts.pin).toBe('match');
      expect(r.status.body).toBe(`cluster:${ID}`);
      expect(r.ping).toMatchObject({ ok: true, httpStatus: 200 });
    }
    const readiness = evaluateReadiness({ plan, probeRoute: true, probes: results });
    expect(readiness).toMatchObject({ ready: true, quorum: '3/3', missing: [] });
  });

  it('a server under another CA does not match the pin', async () => {
    const { map } = await readyCluster();
    const pin = memoryPin();
    const probe = createK3sProbe({ clusterId: ID, token: () => TOKEN, pin, map: map.route, timeoutMs: 1000 });
    await probe.probe(TARGETS[0]!);
    const rogue = new K3sStandin({
      token: TOKEN,
      clusterId: ID,
      clusterIp: IPS[3]!,
      joinServerIp: IPS[3]!,
      name: 'rogue',
      uuid: 'r',
      listen: map.listenFor(IPS[3]!),
      route: map.route,
      delays: FAST,
    });
    cleanup.push(() => rogue.stop());
    await rogue.start();
    await rogue.whenMember();
    const r = await probe.probe({ uuid: 'r', name: 'rogue', ip: IPS[3]! });
    expect(r.cacerts).toMatchObject({ ok: false, pin: 'mismatch' });
    expect(r.ping.ok).toBe(false);
  });

  it('the wrong token gets 401 on readyz and db/info, and the token appears in no result or log', async () => {
    const { map, fleet, logs } = await readyCluster();
    const wrong = createK3sProbe({
      clusterId: ID,
      token: () => 'not-the-token',
      pin: memoryPin(),
      map: map.route,
      timeoutMs: 1000,
    });
    const r = await wrong.probe(TARGETS[1]!);
    expect(r.readyz).toMatchObject({ ok: false, httpStatus: 401 });
    expect(r.dbInfo).toMatchObject({ ok: false, httpStatus: 401 });

    const right = createK3sProbe({
      clusterId: ID,
      token: () => TOKEN,
      pin: memoryPin(),
      map: map.route,
      timeoutMs: 300,
    });
    await fleet.nodeDown('node-3');
    const results = await Promise.all(
      [...TARGETS, { uuid: 'x', name: 'nowhere', ip: '10.244.244.77' }].map((t) => right.probe(t)),
    );
    expect(results[2]!.ping.ok).toBe(false);
    expect(results[2]!.status.detail).toMatch(/ECONNREFUSED/);
    const report = await fleet.leaderReport();
    const kube =
      report && report.msg.InfoContent.case === 'clusterInfo'
        ? kubeClusterView(report.msg.InfoContent.value, report.from.o.uuid, 1)
        : undefined;
    const readiness = evaluateReadiness({
      plan,
      probeRoute: true,
      probes: results.slice(0, 3),
      ...(kube ? { kube } : {}),
    });
    expect(readiness.quorum).toBe('2/3');
    expect(readiness.nodes.find((n) => n.name === 'node-3')).toMatchObject({ member: true, live: false });
    const everything = JSON.stringify({ r, results, readiness, logs });
    expect(everything).not.toContain(TOKEN);
    expect(everything).not.toContain(Buffer.from(`server:${TOKEN}`).toString('base64'));
    expect(everything).not.toContain(Buffer.from(`node:${TOKEN}`).toString('base64'));
  });

  it('scrubs the token even from an error text that would carry it', async () => {
    const map = await LoopbackMap.free(IPS);
    // Contrived: a "token" that the connection error repeats (unmapped addresses go to a closed loopback port).
    const token = 'ECONNREFUSED';
    const probe = createK3sProbe({
      clusterId: ID,
      token: () => token,
      pin: memoryPin(),
      map: map.route,
      timeoutMs: 200,
    });
    const r = await probe.probe({ uuid: 'x', name: 'x', ip: '10.244.244.5' });
    expect(r.status.detail).toContain('[redacted]');
    expect(JSON.stringify(r)).not.toContain(token);
  });
});
