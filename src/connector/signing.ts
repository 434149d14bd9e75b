// The signer behind the connector: anything that turns unsigned bytes into signed bytes. PEM and
// PKCS#12 come from src/signature; a token/HSM or a remote signing service fits the same interface.
import { readFileSync } from 'node:fs';
import { ProblemError } from '../errors/index.ts';
import { CON } from './errors.ts';
import type { SignerConfig } from './config.ts';

export interface PackageSigner {
  /** Sign a GIAMDINHHS package, a check-in (XML0) or a medical-assessment (XML12) document (fills its CHUKYDONVI). */
  sign(bytes: Buffer): Promise<Buffer>;
  /** Short description for status pages (never the key). */
  readonly label: string;
}

interface SignatureModule {
  signXml(bytes: Uint8Array, signer: unknown): Promise<Buffer>;
  signerFromPem(keyPem: string, certPem: string): unknown;
  signerFromPkcs12(bytes: Uint8Array, passphrase: string): unknown;
}

// Loaded lazily: signing is the only heavy dependency of the hot path.
const SIGNATURE_MODULE = '../signature/index.ts';
async function signatureModule(): Promise<SignatureModule> {
  return (await import(SIGNATURE_MODULE)) as SignatureModule;
}

/** Wrap a src/signature Signer (e.g. from signerFromPem) as a PackageSigner. */
export async function fromSignatureSigner(signer: unknown, label = 'certificate'): Promise<PackageSigner> {
  const mod = await signatureModule();
  return { label, sign: (bytes) => mod.signXml(bytes, signer) };
}

export async function loadSigner(c: SignerConfig): Promise<PackageSigner> {
  if (c.kind === 'none') return { label: 'none (unsigned)', sign: async (b) => b };
  try {
    const mod = await signatureModule();
    if (c.kind === 'pem') {
      const s = await mod.signerFromPem(readFileSync(c.keyFile, 'utf8'), readFileSync(c.certFile, 'utf8'));
      return { label: `PEM ${c.certFile.split(/[\\/]/).pop()}`, sign: (b) => mod.signXml(b, s) };
    }
    const pass = c.passphrase ?? (c.passphraseEnv ? process.env[c.passphraseEnv] : undefined) ?? '';
    const s = await mod.signerFromPkcs12(readFileSync(c.file), pass);
    return { label: `PKCS#12 ${c.file.split(/[\\/]/).pop()}`, sign: (b) => mod.signXml(b, s) };
  } catch (e) {
    if (e instanceof ProblemError) throw e;
    throw ProblemError.of(CON.CON_SIGN, 'signer', { detail: String((e as Error).message ?? e).slice(0, 200) });
  }
}
