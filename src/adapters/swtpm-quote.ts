// The quote key and TPM2_Quote on swtpm through tpm2-tools, as EVE's tpmmgr does them: a restricted
// ECDSA P-256/SHA-256 signing key persisted at 0x81000004 (evetpm DefaultQuoteKeyTemplate) and a quote over
// PCRs 0–15 of the SHA-256 bank with the controller's nonce as qualifying data, sending PCRs 0–23 (tpmmgr getQuote).
import { readFile, rm } from 'node:fs/promises';
import { EVE_QUOTE_KEY_HANDLE, EVE_QUOTED_PCRS, EVE_SENT_PCRS, type TpmQuote } from '../ports/tpm.js';

const HANDLE = `0x${EVE_QUOTE_KEY_HANDLE.toString(16)}`;
const TEMPLATE = ['-C', 'o', '-g', 'sha256', '-G', 'ecc256:ecdsa-sha256:null', '-a'];
const ATTRIBUTES = 'fixedtpm|fixedparent|sensitivedataorigin|userwithauth|restricted|sign|noda';

export interface QuoteTools {
  run: (cmd: string, args: string[]) => Promise<string>;
  tmp: (name: string) => string;
  persistent: () => Promise<number[]>;
}

/** Creates and persists the quote key unless it exists; returns its SPKI PEM. */
export async function ensureQuoteKey(t: QuoteTools): Promise<string> {
  const ctx = t.tmp('ak.ctx');
  const pem = t.tmp('ak.pem');
  try {
    if (!(await t.persistent()).includes(EVE_QUOTE_KEY_HANDLE)) {
      await t.run('tpm2_createprimary', ['-Q', ...TEMPLATE, ATTRIBUTES, '-c', ctx]);
      await t.run('tpm2_evictcontrol', ['-Q', '-C', 'o', '-c', ctx, HANDLE]);
      await t.run('tpm2_flushcontext', ['-t']);
    }
    await t.run('tpm2_readpublic', ['-Q', '-c', HANDLE, '-f', 'pem', '-o', pem]);
    return await readFile(pem, 'utf8');
  } finally {
    await Promise.all([rm(ctx, { force: true }), rm(pem, { force: true })]);
  }
}

/** tpm2_quote -f plain writes the ECDSA signature ASN.1 DER, as EVE marshals it; -F values the raw PCRs. */
export async function swtpmQuote(t: QuoteTools, nonce: Uint8Array): Promise<TpmQuote> {
  await ensureQuoteKey(t);
  const msg = t.tmp('quote.msg');
  const sig = t.tmp('quote.sig');
  const pcrs = t.tmp('quote.pcrs');
  try {
    const list = `sha256:${EVE_QUOTED_PCRS.join(',')}`;
    const nonceHex = Buffer.from(nonce).toString('hex');
    await t.run('tpm2_quote', ['-Q', '-c', HANDLE, '-l', list, '-q', nonceHex, '-m', msg, '-s', sig, '-f', 'plain']);
    await t.run('tpm2_pcrread', ['-Q', `sha256:${EVE_SENT_PCRS.join(',')}`, '-o', pcrs]);
    const [attestData, signature, values] = await Promise.all([readFile(msg), readFile(sig), readFile(pcrs)]);
    return {
      attestData: new Uint8Array(attestData),
      signature: new Uint8Array(signature),
      pcrs: EVE_SENT_PCRS.map((index, i) => ({ index, value: new Uint8Array(values.subarray(i * 32, i * 32 + 32)) })),
    };
  } finally {
    await Promise.all([msg, sig, pcrs].map((f) => rm(f, { force: true })));
  }
}
