// The cluster join token: minted once per cluster from the caller's CSPRNG bytes (>= 256 bits).
// K3s accepts any string; we use base64url so it is safe in YAML (EVE writes it into 01-clusterconfig.yaml).
export const TOKEN_BYTES = 32;

export function mintToken(randomBytes: Uint8Array): string {
  if (randomBytes.length < TOKEN_BYTES) throw new Error(`a token needs at least ${TOKEN_BYTES} random bytes`);
  return Buffer.from(randomBytes).toString('base64url');
}
