// Matching etcd member names to device names. K3s names its etcd member `<node-name>-<8 hex>` (pkg/etcd: the
// node name plus the first 8 characters of a random UUID), and kube-init sets node-name to the device name
// lower-cased with `_` → `-` (eve-api-facts §5.2).

export function k8sNodeName(deviceName: string): string {
  return deviceName.toLowerCase().replace(/_/g, '-');
}

export function memberMatches(member: string, deviceName: string): boolean {
  const node = k8sNodeName(deviceName);
  return member === node || (member.startsWith(`${node}-`) && /^[0-9a-f]{8}$/.test(member.slice(node.length + 1)));
}

/** Which devices the member list names, and which members name none of them. */
export function matchMembers<T extends { name: string }>(
  members: readonly string[],
  nodes: readonly T[],
): { matched: T[]; strangers: string[] } {
  const matched = nodes.filter((n) => members.some((m) => memberMatches(m, n.name)));
  const strangers = members.filter((m) => !nodes.some((n) => memberMatches(m, n.name)));
  return { matched, strangers };
}
