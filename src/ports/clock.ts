export interface Clock {
  now(): number;
}

export interface Random {
  bytes(n: number): Uint8Array;
  uuid(): string;
}
