// A stand-in for what EVE's kube-init, zedkube and the K3s supervisor do on one node, enough for the watcher
// (eve-api-facts §5, k3s-facts.md). The seed starts "k3s" at once: it creates the cluster CA, serves :6443 and
// becomes the first etcd member. A joiner first polls the seed until :12346/status says cluster:<id> and :6443
// answers (§5.4), then fetches the CA with the token (/v1-k3s/server-bootstrap, server role) and is added to the
// member list. Auth follows K3s: node:<token> for agent endpoints, server:<token> for server ones; else 401.
import { randomBytes } from 'node:crypto';
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { type AddressMap, get, K3S_PORT, STATUS_PORT } from '../adapters/k3s-probe.js';
import { encodeBootstrap, kubeCas, parseBootstrap } from '../core/kube/bootstrap.js';
import { k8sNodeName } from '../core/readiness/members.js';
import { type ClusterCas, createClusterCas, issueServingCert } from './k3s-ca.js';

export interface Listen {
  host: string;
  port: number;
}

export interface StandinDelays {
  /** Seed: from start to "k3s" serving and the first etcd member. */
  startMs: number;
  /** From membership to /v1-k3s/readyz 200 (controllers up). */
  readyMs: number;
  /** Joiner: between polls of the seed (EVE: 10 s). */
  pollMs: number;
  /** Joiner: from fetching the CA to being an etcd member. */
  joinMs: number;
}

export const DEFAULT_DELAYS: StandinDelays = { startMs: 3000, readyMs: 2000, pollMs: 2000, joinMs: 3000 };

export interface StandinOptions {
  /** The decrypted cluster token (EncryptionBlock.cluster_token). */
  token: string;
  clusterId: string;
  clusterIp: string;
  joinServerIp: string;
  /** device_name; the K8s node name is derived as kube-init does. */
  name: string;
  uuid: string;
  listen: { api: Listen; status: Listen };
  /** How this node reaches other cluster IPs (loopback mapping in the demo, identity in netns). */
  route: AddressMap;
  delays?: Partial<StandinDelays>;
  /** Failure injection: the seed never starts K3s (its :12346/status stays empty, :6443 closed). */
  seedNeverInitialises?: boolean;
  log?: (msg: string) => void;
}

export interface Member {
  name: string;
  peerURLs: string[];
  clientURLs: string[];
  /** Not in etcd's answer; kept for the EVE report (node-uuid label). */
  uuid: string;
  ip: string;
}

export class K3sStandin {
  readonly seed: boolean;
  readonly nodeName: string;
  private readonly d: StandinDelays;
  private ca?: ClusterCas;
  private members: Member[] = [];
  private memberSince?: number;
  private servers: Server[] = [];
  private stopped = false;
  private waiters: (() => void)[] = [];

  constructor(readonly o: StandinOptions) {
    this.seed = o.clusterIp === o.joinServerIp;
    this.nodeName = k8sNodeName(o.name);
    this.d = { ...DEFAULT_DELAYS, ...o.delays };
  }

  get isMember(): boolean {
    return this.memberSince !== undefined && !this.stopped;
  }

  get ready(): boolean {
    return this.isMember && Date.now() - this.memberSince! >= this.d.readyMs;
  }

  memberList(): Member[] {
    return this.members;
  }

  /** Resolves once this node is an etcd member. */
  whenMember(): Promise<void> {
    return this.isMember ? Promise.resolve() : new Promise((r) => this.waiters.push(r));
  }

  /** zedkube's status server comes up with the node; K3s follows by role. Restarting a member rejoins at once. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.listen(
      createHttp((req, res) => this.status(req, res)),
      this.o.listen.status,
    );
    if (this.ca && this.members.length > 0) return this.serveApi().then(() => this.becomeMember(this.members));
    if (this.seed) {
      if (this.o.seedNeverInitialises) return this.log('seed: K3s never initialises (failure injection)');
      setTimeout(() => void this.initSeed().catch((e) => this.log(`seed start failed: ${e.message}`)), this.d.startMs);
    } else {
      void this.joinLoop();
    }
  }

  /** Power off: every socket closes; state (CA, membership) survives for a restart. */
  async stop(): Promise<void> {
    this.stopped = true;
    const all = this.servers;
    this.servers = [];
    await Promise.all(all.map((s) => new Promise<void>((r) => s.close(() => r()).closeAllConnections())));
  }

  private log(m: string): void {
    this.o.log?.(`${this.o.name}: ${m}`);
  }

  private async initSeed(): Promise<void> {
    if (this.stopped) return;
    this.ca = await createClusterCas();
    await this.serveApi();
    this.becomeMember([this.self()]);
    this.log('seed: cluster-init done, first etcd member');
  }

  private self(): Member {
    const ip = this.o.clusterIp;
    // K3s names its etcd member <node-name>-<8 hex> (pkg/etcd).
    const name = `${this.nodeName}-${randomBytes(4).toString('hex')}`;
    return { name, peerURLs: [`https://${ip}:2380`], clientURLs: [`https://${ip}:2379`], uuid: this.o.uuid, ip };
  }

  private becomeMember(members: Member[]): void {
    this.members = members;
    this.memberSince = Date.now();
    for (const w of this.waiters.splice(0)) w();
  }

  /** EVE's bootstrap gate (eve-api-facts §5.4): status says cluster:<id> and :6443 answers, then join. */
  private async joinLoop(): Promise<void> {
    const seedIp = this.o.joinServerIp;
    const t = { timeoutMs: 2000 };
    while (!this.stopped && !this.isMember) {
      try {
        const st = await get(this.o.route, seedIp, STATUS_PORT, '/status', { ...t, tls: false });
        if (st.body.trim() === `cluster:${this.o.clusterId}`) {
          await get(this.o.route, seedIp, K3S_PORT, '/ping', { ...t, tls: {} });
          await this.join(seedIp);
          return;
        }
      } catch {
        // Transient: the seed is not up yet.
      }
      await new Promise((r) => setTimeout(r, this.d.pollMs));
    }
  }

  private async join(seedIp: string): Promise<void> {
    const auth = { user: 'server', password: this.o.token };
    const boot = await get(this.o.route, seedIp, K3S_PORT, '/v1-k3s/server-bootstrap', {
      timeoutMs: 5000,
      tls: {},
      auth,
    });
    if (boot.status !== 200) {
      this.log(`join refused by the seed: HTTP ${boot.status}; retrying`);
      await new Promise((r) => setTimeout(r, this.d.pollMs));
      return this.joinLoop();
    }
    const parsed = parseBootstrap(boot.body);
    const cas = parsed.kind === 'ok' ? kubeCas(parsed.files) : parsed.message;
    if (typeof cas === 'string' || parsed.kind !== 'ok') throw new Error(`join: ${cas}`);
    this.ca = {
      server: { certPem: cas.serverCaPem, keyPem: parsed.files.ServerCAKey ?? '' },
      client: { certPem: cas.clientCaPem, keyPem: cas.clientCaKeyPem },
    };
    await this.serveApi();
    await new Promise((r) => setTimeout(r, this.d.joinMs));
    const me = encodeURIComponent(JSON.stringify(this.self()));
    const add = await get(this.o.route, seedIp, K3S_PORT, `/v1-eveboot-sim/member-add?m=${me}`, {
      timeoutMs: 5000,
      tls: {},
      auth,
    });
    if (add.status !== 200) throw new Error(`member add refused: HTTP ${add.status}`);
    this.becomeMember((JSON.parse(add.body) as { members: Member[] }).members);
    this.log(`joined: ${this.members.length} etcd members`);
  }

  private async serveApi(): Promise<void> {
    const ca = this.ca!;
    const sans = [this.o.clusterIp, this.o.joinServerIp, '127.0.0.1', 'localhost'];
    const cert = await issueServingCert(ca.server, this.seed ? sans : [this.o.clusterIp, '127.0.0.1', 'localhost']);
    const server = createHttps(
      {
        cert: `${cert.certPem.trim()}\n${ca.server.certPem.trim()}\n`,
        key: cert.keyPem,
        // kube-apiserver shares :6443 with the supervisor in K3s; it takes client certs from the client CA.
        ca: ca.client.certPem,
        requestCert: true,
        rejectUnauthorized: false,
      },
      (req, res) => void this.api(req, res).catch(() => res.writeHead(500).end()),
    );
    await this.listen(server, this.o.listen.api);
  }

  private listen(s: Server, at: Listen): Promise<void> {
    this.servers.push(s);
    return new Promise((resolve, reject) => {
      s.once('error', reject);
      s.listen(at.port, at.host, () => resolve());
    });
  }

  /** zedkube: cluster:<id> only while this node is an etcd + control-plane member; else an empty body. */
  private status(req: IncomingMessage, res: ServerResponse): void {
    if (req.url !== '/status') return void res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': 'text/plain' }).end(this.isMember ? `cluster:${this.o.clusterId}` : '');
  }

  private role(req: IncomingMessage): 'node' | 'server' | undefined {
    const m = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
    if (!m) return undefined;
    const text = Buffer.from(m[1]!, 'base64').toString('utf8');
    const colon = text.indexOf(':');
    const [user, password] = [text.slice(0, colon), text.slice(colon + 1)];
    if (password !== this.o.token) return undefined;
    return user === 'node' || user === 'server' ? user : undefined;
  }

  private async api(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://x');
    const json = (v: unknown): void => {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(v));
    };
    const unauthorized = (): void => {
      res.writeHead(401, { 'Content-Type': 'text/plain' }).end('Unauthorized');
    };
    switch (url.pathname) {
      case '/ping':
        return void res.writeHead(200, { 'Content-Type': 'text/plain' }).end('pong');
      case '/cacerts':
        return void res.writeHead(200, { 'Content-Type': 'text/plain' }).end(this.ca!.server.certPem);
      case '/v1-k3s/readyz':
        if (this.role(req) !== 'node') return unauthorized();
        return void (this.ready ? res.writeHead(200).end('ok') : res.writeHead(503).end('etcd/controllers starting'));
      case '/v1-k3s/apiservers':
        if (this.role(req) !== 'node') return unauthorized();
        return json((await this.currentMembers()).map((m) => `${m.ip}:${K3S_PORT}`));
      case '/db/info':
        if (this.role(req) !== 'server') return unauthorized();
        return json({
          members: (await this.currentMembers()).map(({ name, peerURLs, clientURLs }) => ({
            name,
            peerURLs,
            clientURLs,
          })),
        });
      case '/v1-k3s/server-bootstrap':
        // K3s hands joining servers the cluster CA (and more) under the server role.
        if (this.role(req) !== 'server' || !this.seed) return unauthorized();
        return void res.writeHead(200, { 'Content-Type': 'application/json' }).end(this.bootstrapData());
      case '/api':
        // kube-apiserver's discovery root: a client cert from the cluster's client CA in system:masters.
        if (!this.admin(req)) return unauthorized();
        return json({ kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
      case '/v1-eveboot-sim/members':
        if (this.role(req) !== 'server' || !this.seed) return unauthorized();
        return json({ members: this.members });
      case '/v1-eveboot-sim/member-add': {
        // Stands in for etcd MemberAdd on :2379, which a real joiner calls with the same credentials' trust.
        if (this.role(req) !== 'server' || !this.seed) return unauthorized();
        const m = JSON.parse(url.searchParams.get('m') ?? '{}') as Member;
        this.members = [...this.members.filter((x) => x.uuid !== m.uuid), m];
        return json({ members: this.members });
      }
      default:
        return void res.writeHead(404).end();
    }
  }

  /** K3s's bootstrap JSON: each CA file by its ControlRuntimeBootstrap field name. */
  private bootstrapData(): string {
    const { server, client } = this.ca!;
    const files = {
      ServerCA: server.certPem,
      ServerCAKey: server.keyPem,
      ClientCA: client.certPem,
      ClientCAKey: client.keyPem,
    };
    return encodeBootstrap(files, new Date(this.memberSince ?? Date.now()).toISOString());
  }

  /** A TLS client cert that chains to the client CA, in group system:masters (kube-apiserver's cluster-admin). */
  private admin(req: IncomingMessage): boolean {
    const socket = req.socket as import('node:tls').TLSSocket;
    if (!socket.authorized) return false;
    const subject = socket.getPeerCertificate().subject as { O?: string | string[] } | undefined;
    const groups = [subject?.O ?? []].flat();
    return groups.includes('system:masters');
  }

  /** Every member answers the same list; a joiner refreshes its copy from the seed when it can. */
  private async currentMembers(): Promise<Member[]> {
    if (this.seed) return this.members;
    try {
      const auth = { user: 'server', password: this.o.token };
      const r = await get(this.o.route, this.o.joinServerIp, K3S_PORT, '/v1-eveboot-sim/members', {
        timeoutMs: 300,
        tls: {},
        auth,
      });
      if (r.status === 200) this.members = (JSON.parse(r.body) as { members: Member[] }).members;
    } catch {
      // The seed may be down; the replicated list is still here.
    }
    return this.members;
  }
}
