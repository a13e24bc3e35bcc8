// One sentence per site-file key for the generated reference (docs/reference/site-file.md). Keys under
// `clusters[]` share the sentences of `cluster.*` and `nodes[].*`. The docs test checks this list against the schema.
export const SITE_KEY_DOCS: Record<string, string> = {
  site: 'The site this file describes.',
  'site.name': 'Site name: in the root CA name, the UI header and every device record.',
  cluster: 'The one cluster of a site file (use `clusters` for a factory line manifest instead).',
  'cluster.name':
    'Cluster name (letters, digits, `_ . -`): in the UI, reports, the kubeconfig and `eveboot kubeconfig NAME`.',
  'cluster.prefix':
    'IPv4 prefix for the cluster IPs: the seed gets the first usable host, the others the next ones. Must hold the nodes, and stay outside 10.42/16 and 10.43/16 (K3s) and every management subnet.',
  'cluster.seed': 'The bootstrap (seed) server, by serial, soft serial or device name; default: the lowest serial.',
  'cluster.seedTimeoutSeconds':
    'How long a seed may stay silent before another node is designated, when no etcd member exists yet (see concepts/cluster-bring-up).',
  'cluster.hardwareGraceSeconds':
    "How long planning waits for each node's hardware report (link speeds) once the ECDH certs and port reports are in; what is still missing then is recorded in the plan.",
  nodes: 'The expected boxes. Only these onboard under the `allowlist` policy.',
  'nodes[].serial': 'SMBIOS serial number, as EVE reports it.',
  'nodes[].softSerial':
    'Soft serial, for boxes without a usable SMBIOS serial: eveboot passes `eve_soft_serial=<MAC with dashes>` of the booting NIC.',
  'nodes[].mac': "MAC of the box's boot NIC: lets DHCP and iPXE recognise it before EVE runs.",
  'nodes[].name': 'Device name (a valid Kubernetes node name); default: derived from the serial.',
  'nodes[].clusterInterface': "Operator choice of the cluster port (its label, e.g. `eth1`), instead of the planner's.",
  clusters: 'A factory line manifest: many clusters, each with its own nodes and its own, non-overlapping prefix.',
  'clusters[].nodes': 'The nodes of this cluster (serials are unique across the whole line).',
  workloads:
    'Networks, volumes and apps eveboot deploys once the cluster is Ready (how-to/workloads); in a `clusters` manifest, per cluster.',
  'workloads.networks': 'Network instances: every node gets each one, with the same UUID.',
  'workloads.networks[].name': 'Network name (lower-case letters, digits, `-`), unique; apps refer to it.',
  'workloads.networks[].kind':
    '`local`: NAT with its own DHCP on each node (needs `subnet`); `switch`: the apps are bridged onto the port.',
  'workloads.networks[].port':
    'Logical label of the port it uses (e.g. `eth1`); must exist on every node. A local network may also name `uplink`, `freeuplink` or `all`.',
  'workloads.networks[].subnet':
    'Local networks only: an IPv4 subnet of at least /29, outside 10.42/16 and 10.43/16 (K3s), the cluster prefix and the other networks.',
  'workloads.volumes': 'Volumes apps mount besides their own image.',
  'workloads.volumes[].name': 'Volume name (lower-case letters, digits, `-`), unique; apps refer to it.',
  'workloads.volumes[].sizeBytes': 'Size of a blank volume in bytes (give this or `image`).',
  'workloads.volumes[].image':
    'An imported disk image (name or `sha256:…`) the volume is made from (give this or `sizeBytes`).',
  'workloads.volumes[].replicated':
    '`true` (default): the volume follows its app when the app moves; `false`: it stays on its node, and the app cannot move.',
  'workloads.volumes[].node':
    'Node that creates the volume (name, serial or soft serial); default: the node of the first app that mounts it.',
  'workloads.apps': 'App instances.',
  'workloads.apps[].name':
    'App name (lower-case letters, digits, `-`), unique: the display name EVE and Kubernetes show.',
  'workloads.apps[].kind':
    "`container` (an OCI image, run in EVE-k's container shim VM) or `vm` (a qcow2 or raw disk, run as a KubeVirt VM).",
  'workloads.apps[].image':
    'The imported image (name or `sha256:…`): OCI for a container, a qcow2 or raw disk for a VM.',
  'workloads.apps[].vcpus': 'Virtual CPUs, at least 1.',
  'workloads.apps[].memoryMiB': 'Memory in MiB, at least 1.',
  'workloads.apps[].networks': 'Network names, one interface each, in order; every interface allows all IPv4 traffic.',
  'workloads.apps[].volumes': 'Volume names the app mounts, in order (containers: under `/mnt/<name>`).',
  'workloads.apps[].node':
    'Designated node (name, serial or soft serial), or `auto` (default): the least loaded node at first deployment, then kept.',
  'workloads.apps[].affinity':
    '`preferred` (default): Kubernetes may restart it on another node when its node is lost; `required`: it stays down with its node.',
  onboarding: 'Who may onboard.',
  'onboarding.policy':
    '`allowlist`: only the nodes listed; `approve`: unknown boxes wait for an operator decision in the UI.',
  'onboarding.tpm':
    '`required`: a quote signed by the device TPM and fresh against our nonce is needed (no empty quotes, no downgrade); `preferred`: a device that once sent a signed quote must keep doing so; `off`: quotes are not checked (the demo). See concepts/security-hardening.',
  'onboarding.tpmVendorCa':
    'PEM bundle of TPM vendor CAs the endorsement cert EVE uploads must chain to. EVE today uploads an EK cert signed by its own device key, so this refuses every current EVE node; leave it unset unless your EVE build uploads the vendor EK cert.',
  listen: 'Addresses and ports the appliance uses.',
  'listen.advertise':
    "Address or DNS name the nodes reach the appliance at (CONFIG `server`, TLS SAN). Default under network boot: the serving interface's address. Required for USB media. Never loopback for real nodes; a DNS name makes hand-over easy.",
  'listen.host': 'Address the controller and HTTP boot listen on.',
  'listen.controllerPort': 'HTTPS port of the EVE controller API.',
  'listen.httpPort':
    'HTTP boot port (iPXE scripts, kernel, installer.iso); also serves workload images: VM disks under /eveboot/images/ and the read-only OCI registry under /v2/.',
  'listen.tftpPort': 'TFTP port (the first iPXE binary only).',
  'listen.dhcpPort': 'DHCP server port (proxyDHCP also answers on 4011).',
  'listen.uiHost': 'Address the UI and operator API listen on (loopback unless `serve --ui-public`).',
  'listen.uiPort': 'UI and operator API port.',
  ui: 'The local web UI.',
  'ui.accessToken':
    'A fixed UI/operator API access token (16+ characters); default: a fresh one printed at each start.',
  boot: 'Network boot and EVE installer options.',
  'boot.localBoot':
    'How an installed box leaves iPXE: `exit` (to the firmware boot order) or `sanboot` the first disk.',
  'boot.unknownMachines': 'Boxes not in `nodes`: `ignore` (safe on a shared LAN) or `boot` them too.',
  'boot.image': "Pin an imported EVE image (version or id); default: the newest import for the box's architecture.",
  'boot.installDisk': '`eve_install_disk`, e.g. `sda` or `nvme0n1`.',
  'boot.persistDisks': '`eve_persist_disk`: several disks make a ZFS pool on EVE-k.',
  'boot.rebootAfterInstall': '`eve_reboot_after_install`; otherwise the installer powers the box off.',
  'boot.extraArgs': 'More installer/kernel options, e.g. `eve_install_zfs_with_raid_level=raid1`.',
};

/** The sentence for a key path; keys under `clusters[]` share those of `cluster.*` and `nodes[].*`. */
export function siteKeyDoc(path: string): string | undefined {
  return (
    SITE_KEY_DOCS[path] ??
    SITE_KEY_DOCS[path.replace(/^clusters\[\]\.(nodes\[\]|workloads)/, '$1').replace(/^clusters\[\]\./, 'cluster.')]
  );
}
