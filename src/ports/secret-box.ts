/** Encrypts secrets at rest (the join token). The key never leaves the adapter. */
export interface SecretBox {
  seal(plaintext: string): string;
  open(ciphertext: string): string;
}
