// The operator API, described as OpenAPI 3.0 and served at /api/v1/openapi.json (issue 5: every UI action is a
// documented REST endpoint). Written by hand next to the routes it describes; a test checks both stay in step.
const bearer = [{ accessToken: [] }];
const json = (description: string, schema: Record<string, unknown> = { type: 'object' }) => ({
  description,
  content: { 'application/json': { schema } },
});
const errors = {
  '400': json('Malformed input: the message says which field and why'),
  '403': json('Missing or wrong access token'),
  '404': json('No such device, machine or cluster'),
  '409': json('Not now: e.g. configs already went out, or network boot is not running'),
};
const get = (summary: string, extra: Record<string, unknown> = {}) => ({
  get: { summary, security: bearer, responses: { '200': json('OK'), ...errors }, ...extra },
});
const param = (name: string, description: string, where: 'path' | 'query' = 'path') => ({
  name,
  in: where,
  required: where === 'path',
  description,
  schema: { type: 'string' },
});

/** An operator choice: POST with a one-field JSON body. */
const choice = (summary: string, parameter: ReturnType<typeof param>, field: string) => ({
  post: {
    summary,
    parameters: [parameter],
    security: bearer,
    requestBody: {
      content: { 'application/json': { schema: { type: 'object', properties: { [field]: { type: 'string' } } } } },
    },
    responses: { '200': json('Resolved'), ...errors },
  },
});

export const OPENAPI = {
  openapi: '3.0.3',
  info: {
    title: 'eveboot operator API',
    version: '1',
    description:
      'The appliance state, live progress and operator actions behind the UI. Every request needs the access token ' +
      'printed at start (Authorization: Bearer …, ?access_token=…, or the cookie the UI sets). Answers never contain ' +
      "the join token, private keys or sealed blobs; only /devices/{uuid}/escrow returns a device's TPM-wrapped vault key.",
  },
  components: { securitySchemes: { accessToken: { type: 'http', scheme: 'bearer' } } },
  security: bearer,
  paths: {
    '/api/v1/site': get('Root CA fingerprints, serving interface and DHCP mode (and why), imported EVE version'),
    '/api/v1/snapshot': get('Every node timeline (with its network ports) and every cluster panel'),
    '/api/v1/live': get('Server-Sent Events: a snapshot on connect, then one delta per event', {
      responses: { '200': { description: 'text/event-stream' }, '403': errors['403'] },
    }),
    '/api/v1/devices': get('Onboarded devices: identity, cert hashes, what each sent (counts)'),
    '/api/v1/devices/{uuid}': get('One device: reports received, merged NIC inventory', {
      parameters: [param('uuid', 'EVE device UUID')],
    }),
    '/api/v1/devices/{uuid}/escrow': get(
      'The vault key the device escrowed (base64, wrapped by its own TPM), for vault recovery (audited; 404 if none)',
      { parameters: [param('uuid', 'EVE device UUID')] },
    ),
    '/api/v1/devices/{uuid}/reinstall': {
      post: {
        summary: 'Install this node again on its next PXE boot (audited)',
        parameters: [param('uuid', 'EVE device UUID')],
        security: bearer,
        responses: { '200': json('Marked'), ...errors },
      },
    },
    '/api/v1/conflicts': get('Open second-claimant conflicts (device serials, boot MACs), naming both claimants'),
    '/api/v1/devices/{uuid}/conflict': choice(
      'Resolve a device conflict: keep "current" or the claimant\'s cert fingerprint (audited)',
      param('uuid', 'EVE device UUID'),
      'keep',
    ),
    '/api/v1/boot/{mac}/conflict': choice(
      'Resolve a boot MAC conflict: the IP of the real machine; the MAC is pinned to it (audited)',
      param('mac', 'boot NIC MAC'),
      'ip',
    ),
    '/api/v1/clusters': get(
      'Clusters: state, plan status, plan, "token sealed for n/3", SHA-256 of the join token (never the token)',
    ),
    '/api/v1/clusters/{name}': get('One cluster', { parameters: [param('name', 'Cluster name')] }),
    '/api/v1/clusters/{name}/overrides': {
      put: {
        summary: 'Override the seed and/or cluster interfaces before configs go out (audited; 409 afterwards)',
        parameters: [param('name', 'Cluster name')],
        security: bearer,
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                additionalProperties: false,
                properties: {
                  seed: { type: 'string', description: 'UUID, serial, soft serial or device name of the new seed' },
                  interfaces: {
                    type: 'object',
                    description: 'device UUID → logical label (or ifname, or MAC) of its cluster port',
                    additionalProperties: { type: 'string' },
                  },
                },
              },
            },
          },
        },
        responses: { '200': json('The overrides now in force'), ...errors },
      },
    },
    '/api/v1/clusters/{name}/kubeconfig': {
      post: {
        summary:
          'Mint an admin kubeconfig (client cert in system:masters signed by the cluster client CA, fetched from the seed with the server token; audited, no-store)',
        parameters: [param('name', 'Cluster name')],
        security: bearer,
        responses: {
          '200': { description: 'The kubeconfig (YAML; holds a private key)', content: { 'application/yaml': {} } },
          '503': { description: 'No route to the seed cluster IP, or the seed refused' },
          ...errors,
        },
      },
    },
    '/api/v1/clusters/{name}/workloads': get(
      'Apps (designated and effective node, phase, state, download %, moves, a pending move), networks and volumes; ' +
        '"waiting" names why nothing is deployed before the cluster is Ready',
      { parameters: [param('name', 'Cluster name')] },
    ),
    '/api/v1/clusters/{name}/apps/{app}/move': {
      post: {
        summary:
          'Move an app to another node (audited). Accepted moves are pending: EVE changes designated_node_id but does ' +
          'not restart a running VM; it moves on the next drain, reboot or failure',
        parameters: [param('name', 'Cluster name'), param('app', 'App name from the site file')],
        security: bearer,
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                additionalProperties: false,
                required: ['node'],
                properties: { node: { type: 'string', description: 'Name of the node to move the app to' } },
              },
            },
          },
        },
        responses: {
          '202': json('Accepted and pending: {app, fromNode, toNode, pending, explanation}'),
          ...errors,
          '409': json('Refused, with the reason (e.g. its volume is not replicated, an unknown node)'),
        },
      },
    },
    '/api/v1/machines': get('Unknown machines held by the approve policy, with the operator decisions'),
    '/api/v1/machines/{key}/approve': {
      post: {
        summary: 'Let an unknown machine onboard (audited)',
        parameters: [param('key', 'serial or soft:<soft serial>')],
        security: bearer,
        responses: { '200': json('Approved'), ...errors },
      },
    },
    '/api/v1/machines/{key}/reject': {
      post: {
        summary: 'Refuse an unknown machine (audited)',
        parameters: [param('key', 'serial or soft:<soft serial>')],
        security: bearer,
        responses: { '200': json('Rejected'), ...errors },
      },
    },
    '/api/v1/events': get('The event log (audit trail included), from ?since=<id>', {
      parameters: [param('since', 'last event id seen', 'query')],
    }),
    '/api/v1/report': get(
      'One record per device (serial, MACs, UUIDs, cert hashes, cluster, role, IP, timings, result)',
      {
        parameters: [param('format', 'json (default) or csv', 'query')],
      },
    ),
    '/metrics': get('Prometheus text: nodes per phase, cluster readiness, DHCP/TFTP counters, bytes served, errors'),
    '/api/v1/openapi.json': get('This document'),
  },
} as const;
