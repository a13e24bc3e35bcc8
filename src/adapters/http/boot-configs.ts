// The CONFIGs of live install decisions, in memory under their grant's nonce. Each holds that install's own
// onboarding key, so it goes out only to the decision's IP (boot-config-routes.ts). Kept until the grant closes,
// is superseded or expires; after a restart the machine PXE-boots again and gets a new decision.
export interface HeldConfig {
  mac: string;
  bytes: Uint8Array;
  expiresAt: number;
}

export class HeldConfigs {
  private readonly byNonce = new Map<string, HeldConfig>();

  hold(nonce: string, c: HeldConfig): void {
    this.byNonce.set(nonce, c);
  }

  get(nonce: string): HeldConfig | undefined {
    return this.byNonce.get(nonce);
  }

  drop(nonce: string): void {
    this.byNonce.delete(nonce);
  }

  /** Forget the CONFIGs whose grant expired before `now`. */
  prune(now: number): void {
    for (const [n, c] of this.byNonce) if (c.expiresAt < now) this.byNonce.delete(n);
  }
}
