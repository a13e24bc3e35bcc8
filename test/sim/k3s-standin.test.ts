import { afterEach, describe, expect, it } from 'vitest';
import { get, K3S_PORT } from '../../src/adapters/k3s-probe.js';
import { K3sFleet, LoopbackMap } from '../../src/sim/k3s-fleet.js';

const ID = '5b0f3a5e-8d2c-4a7e-9a61-0c1d2e3f4a5b';
const TOKEN = 'c2VjcmV0LWpvaW4tdG9rZW4tZm9yLXRlc3Rz';
const IPS = ['10.244.244.1', '10.244.244.2', '10.244.244.3'];
const NODES = IPS.map((ip, i) => ({
  uuid: `0000000${i + 1}-0000-4000-8000-000000000000`,
  name: `node-${i + 1}`,
  clusterIp: ip,
}));
const FAST = { startMs: 150, readyMs: 30, pollMs: 10, joinMs: 10 };

let fleet: K3sFleet | undefined;
afterEach(async () => {
  await fleet?.stop();
  fleet = undefined;
});

async function newFleet(extra: { seedNeverInitialises?: boolean } = {}) {
  const map = await LoopbackMap.free(IPS);
  const logs: string[] = [];
  fleet = new K3sFleet({ clusterId: ID, joinServerIp: IPS[0]!, map, delays: FAST, log: (m) => logs.push(m), ...extra });
  return { map, logs, fleet };
}

describe('K3s stand-in', () => {
  it('joiners started first wait for the seed, then join; the seed is the first member', async () => {
    const { fleet: f, logs } = await newFleet();
    const order: string[] = [];
    const joiners = await Promise.all([NODES[1]!, NODES[2]!].map((n) => f.startNode(n, TOKEN)));
    const joined = joiners.map((s) => s.whenMember().then(() => order.push(s.o.name)));
    expect(joiners.every((s) => !s.isMember)).toBe(true);
    const seed = await f.startNode(NODES[0]!, TOKEN);
    await seed.whenMember().then(() => order.unshift(seed.o.name));
    await Promise.all(joined);
    expect(order[0]).toBe('node-1');
    expect(new Set(order)).toEqual(new Set(['node-1', 'node-2', 'node-3']));
    expect(seed.memberList().map((m) => m.name.replace(/-[0-9a-f]{8}$/, ''))).toEqual(
      expect.arrayContaining(['node-1', 'node-2', 'node-3']),
    );
    expect(logs.join('\n')).not.toContain(TOKEN);
  });

  it('zedkube status is empty until the node is an etcd member', async () => {
    const { fleet: f, map } = await newFleet({ seedNeverInitialises: true });
    const seed = await f.startNode(NODES[0]!, TOKEN);
    const st = await get(map.route, IPS[0]!, 12346, '/status', { tls: false, timeoutMs: 1000 });
    expect(st).toEqual({ status: 200, body: '' });
    await expect(get(map.route, IPS[0]!, K3S_PORT, '/ping', { tls: {}, timeoutMs: 1000 })).rejects.toThrow(
      /ECONNREFUSED/,
    );
    expect(seed.isMember).toBe(false);
  });

  it('the wrong token is refused with 401 on server and agent endpoints', async () => {
    const { fleet: f, map } = await newFleet();
    await (await f.startNode(NODES[0]!, TOKEN)).whenMember();
    const as = (user: string, password: string, path: string) =>
      get(map.route, IPS[0]!, K3S_PORT, path, { tls: {}, timeoutMs: 1000, auth: { user, password } });
    expect((await as('server', 'wrong', '/v1-k3s/server-bootstrap')).status).toBe(401);
    expect((await as('server', 'wrong', '/db/info')).status).toBe(401);
    expect((await as('node', 'wrong', '/v1-k3s/readyz')).status).toBe(401);
    // Roles as K3s: the agent user cannot read the etcd member list.
    expect((await as('node', TOKEN, '/db/info')).status).toBe(401);
    expect((await as('server', TOKEN, '/db/info')).status).toBe(200);
  });

  it('the leader reports three READY, JOINED servers, and a stopped node as not READY', async () => {
    const { fleet: f } = await newFleet();
    const all = await Promise.all(NODES.map((n) => f.startNode(n, TOKEN)));
    await Promise.all(all.map((s) => s.whenMember()));
    const report = await f.leaderReport();
    const info = report?.msg.InfoContent;
    expect(info?.case).toBe('clusterInfo');
    const nodes = info?.case === 'clusterInfo' ? info.value.nodes : [];
    expect(nodes.map((n) => [n.name, n.conditions[0]?.set, n.roleServer, n.admissionStatus, n.nodeId]).sort()).toEqual(
      NODES.map((n) => [n.name, true, true, 4, n.uuid]),
    );
    await f.nodeDown('node-3');
    const after = await f.leaderReport();
    const down = after?.msg.InfoContent.case === 'clusterInfo' ? after.msg.InfoContent.value.nodes : [];
    expect(down.find((n) => n.name === 'node-3')?.conditions[0]?.set).toBe(false);
  });
});
