// Certificates and keys: reading (PEM, DER, PKCS#12), facts about a certificate, trust checks
// (chain to configured anchors, validity, key usage, RSA size), and the development CA.
// Pure: node:crypto and node-forge only, no I/O.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign as rsaSign, X509Certificate, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { problem, ProblemError, type Problem } from '../errors/index.ts';
import { SIG } from './errors.ts';

export interface CertificateInfo {
  der: Buffer;
  /** SHA-256 of the DER, lower-case hex. */
  fingerprint: string;
  subject: string;
  issuer: string;
  serial: string;
  notBefore: Date;
  notAfter: Date;
  /** The facility code (MACSKCB) carried in the subject as `MACSKCB:<code>` (UID or OU), if any. */
  facilityCode?: string;
  /** Key usage bits present in the certificate (absent extension = undefined). */
  keyUsage?: { digitalSignature: boolean; nonRepudiation: boolean; keyCertSign: boolean };
  isCa: boolean;
  keyType: string;
  keyBits?: number;
}

const FACILITY_RE = /MACSKCB[:=]([0-9A-Za-z]{5})(?![0-9A-Za-z])/;

/** Read PEM text or DER bytes into node's X509Certificate (throws ProblemError SIG_CERT_INVALID). */
export function toX509(pemOrDer: string | Uint8Array | X509Certificate): X509Certificate {
  if (pemOrDer instanceof X509Certificate) return pemOrDer;
  try {
    if (typeof pemOrDer === 'string') return new X509Certificate(pemOrDer);
    const buf = Buffer.from(pemOrDer.buffer, pemOrDer.byteOffset, pemOrDer.byteLength);
    if (buf.subarray(0, 11).toString('latin1') === '-----BEGIN ') return new X509Certificate(buf.toString('latin1'));
    return new X509Certificate(buf);
  } catch {
    throw ProblemError.of(SIG.SIG_CERT_INVALID, 'certificate');
  }
}

/** All certificates in a PEM bundle (or one DER). */
export function readCertificates(input: string | Uint8Array): X509Certificate[] {
  const text = typeof input === 'string' ? input : Buffer.from(input).subarray(0, 11).toString('latin1') === '-----BEGIN ' ? Buffer.from(input).toString('latin1') : null;
  if (text === null) return [toX509(input)];
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (!blocks.length) throw ProblemError.of(SIG.SIG_CERT_INVALID, 'certificate');
  return blocks.map((b) => toX509(b));
}

const infoCache = new Map<string, CertificateInfo>();

/** Facts about a certificate (cached by fingerprint; bounded). */
export function certificateInfo(pemOrDer: string | Uint8Array | X509Certificate): CertificateInfo {
  const x = toX509(pemOrDer);
  const der = x.raw;
  const fingerprint = createHash('sha256').update(der).digest('hex');
  const hit = infoCache.get(fingerprint);
  if (hit) return hit;
  let keyUsage: CertificateInfo['keyUsage'];
  let isCa = false;
  try {
    // node-forge reads extensions of RSA certificates; other key types are refused later anyway.
    const fc = forge.pki.certificateFromAsn1(forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary'))));
    const ku = fc.getExtension('keyUsage') as { digitalSignature?: boolean; nonRepudiation?: boolean; keyCertSign?: boolean } | null;
    if (ku) keyUsage = { digitalSignature: !!ku.digitalSignature, nonRepudiation: !!ku.nonRepudiation, keyCertSign: !!ku.keyCertSign };
    const bc = fc.getExtension('basicConstraints') as { cA?: boolean } | null;
    isCa = !!bc?.cA;
  } catch {
    isCa = x.ca;
  }
  const details = x.publicKey.asymmetricKeyDetails;
  const subject = x.subject;
  const info: CertificateInfo = {
    der,
    fingerprint,
    subject,
    issuer: x.issuer,
    serial: x.serialNumber,
    notBefore: new Date(x.validFrom),
    notAfter: new Date(x.validTo),
    facilityCode: FACILITY_RE.exec(subject)?.[1],
    keyUsage,
    isCa: isCa || x.ca,
    keyType: x.publicKey.asymmetricKeyType ?? 'unknown',
    keyBits: details?.modulusLength,
  };
  if (infoCache.size > 1000) infoCache.clear();
  infoCache.set(fingerprint, info);
  return info;
}

export interface TrustOptions {
  /** Trusted roots (and intermediates you trust as anchors), PEM or DER. */
  trustAnchors?: (string | Uint8Array)[];
  /** Untrusted intermediates that may complete a chain. */
  intermediates?: (string | Uint8Array)[];
  /** Time the validity is judged at (default now). */
  at?: Date;
}

/** Checks of an end-entity signing certificate on its own: RSA ≥ 2048, key usage, validity at `at`. */
export function checkSigningCertificate(x: X509Certificate, at: Date, path = 'KeyInfo'): Problem | null {
  const info = certificateInfo(x);
  if (info.keyType !== 'rsa') return problem(SIG.SIG_KEY_TYPE, path, { type: info.keyType });
  if ((info.keyBits ?? 0) < 2048) return problem(SIG.SIG_KEY_WEAK, path, { bits: info.keyBits ?? 0 });
  if (info.keyUsage && !info.keyUsage.digitalSignature && !info.keyUsage.nonRepudiation) return problem(SIG.SIG_CERT_KEY_USAGE, path);
  if (at.getTime() < info.notBefore.getTime()) return problem(SIG.SIG_CERT_NOT_YET_VALID, path);
  if (at.getTime() > info.notAfter.getTime()) return problem(SIG.SIG_CERT_EXPIRED, path);
  return null;
}

const anchorCache = new Map<string, X509Certificate[]>();
function parsePool(list: (string | Uint8Array)[] | undefined): X509Certificate[] {
  if (!list?.length) return [];
  const out: X509Certificate[] = [];
  for (const item of list) {
    const key = typeof item === 'string' ? item : Buffer.from(item).toString('base64');
    let certs = anchorCache.get(key);
    if (!certs) {
      certs = readCertificates(item);
      if (anchorCache.size > 200) anchorCache.clear();
      anchorCache.set(key, certs);
    }
    out.push(...certs);
  }
  return out;
}

/** Build a chain from `leaf` to one of the anchors (max depth 5); null when none. */
export function chainsToAnchor(leaf: X509Certificate, opts: TrustOptions): boolean {
  const anchors = parsePool(opts.trustAnchors);
  const pool = [...anchors, ...parsePool(opts.intermediates)];
  const at = (opts.at ?? new Date()).getTime();
  const isAnchor = (c: X509Certificate) => anchors.some((a) => a.raw.equals(c.raw));
  if (isAnchor(leaf)) return true;
  let cur = leaf;
  for (let depth = 0; depth < 5; depth++) {
    const issuer = pool.find((c) => {
      if (c.raw.equals(cur.raw)) return false;
      try {
        return cur.checkIssued(c) && cur.verify(c.publicKey) && certificateInfo(c).isCa && at >= Date.parse(c.validFrom) && at <= Date.parse(c.validTo);
      } catch {
        return false;
      }
    });
    if (!issuer) return false;
    if (isAnchor(issuer)) return true;
    cur = issuer;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Keys and signers

/**
 * Anything that makes an RSA-SHA256 (PKCS#1 v1.5) signature with the facility's key: an in-process
 * key, or later a USB token/HSM (PKCS#11) or a CA's remote-signing service.
 */
export interface Signer {
  /** The signer's end-entity certificate (DER), placed in KeyInfo. */
  readonly certificateDer: Buffer;
  /** Signature algorithm; only RSA-SHA256 is produced. */
  readonly algorithm: 'rsa-sha256';
  /** Sign `data` (the canonical SignedInfo) and return the raw signature bytes. */
  sign(data: Buffer): Promise<Buffer>;
}

function keyFromPem(keyPem: string, passphrase?: string): KeyObject {
  try {
    return createPrivateKey({ key: keyPem, format: 'pem', passphrase });
  } catch {
    throw ProblemError.of(SIG.SIG_PEM_INVALID, 'key', { detail: 'private key' });
  }
}

/** An in-process signer from a PEM private key (PKCS#1 or PKCS#8, optionally encrypted) and certificate. */
export function signerFromPem(keyPem: string, certPem: string, passphrase?: string): Signer {
  const key = keyFromPem(keyPem, passphrase);
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch {
    throw ProblemError.of(SIG.SIG_PEM_INVALID, 'certificate', { detail: 'certificate' });
  }
  if (key.asymmetricKeyType !== 'rsa') throw ProblemError.of(SIG.SIG_KEY_TYPE, 'key', { type: String(key.asymmetricKeyType) });
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < 2048) throw ProblemError.of(SIG.SIG_KEY_WEAK, 'key', { bits });
  const pub = createPublicKey(key).export({ type: 'spki', format: 'der' });
  if (!pub.equals(cert.publicKey.export({ type: 'spki', format: 'der' }))) throw ProblemError.of(SIG.SIG_KEY_CERT_MISMATCH, 'key');
  return inProcessSigner(key, cert.raw);
}

function inProcessSigner(key: KeyObject, certificateDer: Buffer): Signer {
  return {
    certificateDer,
    algorithm: 'rsa-sha256',
    async sign(data: Buffer) {
      return rsaSign('sha256', data, key);
    },
  };
}

/** Read a PKCS#12 (.p12/.pfx) file: the private key and its certificate (plus any chain). */
export function readPkcs12(bytes: Uint8Array, passphrase: string): { keyPem: string; certPem: string; chainPem: string[] } {
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    const asn1 = forge.asn1.fromDer(forge.util.createBuffer(Buffer.from(bytes).toString('binary')));
    p12 = forge.pkcs12.pkcs12FromAsn1(asn1, false, passphrase);
  } catch {
    throw ProblemError.of(SIG.SIG_P12_INVALID, 'pkcs12');
  }
  const keyBags = [...(p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag })[forge.pki.oids.pkcs8ShroudedKeyBag] ?? []), ...(p12.getBags({ bagType: forge.pki.oids.keyBag })[forge.pki.oids.keyBag] ?? [])];
  const certBags = p12.getBags({ bagType: forge.pki.oids.certBag })[forge.pki.oids.certBag] ?? [];
  const keyBag = keyBags.find((b) => b.key);
  if (!keyBag?.key || !certBags.length) throw ProblemError.of(SIG.SIG_P12_INVALID, 'pkcs12');
  const keyPem = forge.pki.privateKeyToPem(keyBag.key);
  const pub = createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'der' });
  const certs = certBags.filter((b) => b.cert).map((b) => forge.pki.certificateToPem(b.cert!));
  const leaf = certs.find((c) => new X509Certificate(c).publicKey.export({ type: 'spki', format: 'der' }).equals(pub));
  if (!leaf) throw ProblemError.of(SIG.SIG_KEY_CERT_MISMATCH, 'pkcs12');
  return { keyPem, certPem: leaf, chainPem: certs.filter((c) => c !== leaf) };
}

/** An in-process signer from a PKCS#12 file and its passphrase. */
export function signerFromPkcs12(bytes: Uint8Array, passphrase: string): Signer {
  const { keyPem, certPem } = readPkcs12(bytes, passphrase);
  return signerFromPem(keyPem, certPem);
}

/** Pack a key and certificate (and optional chain) as PKCS#12 protected by `passphrase`. */
export function toPkcs12(keyPem: string, certPem: string, passphrase: string, chainPem: string[] = []): Buffer {
  const key = forge.pki.privateKeyFromPem(createPrivateKey(keyPem).export({ type: 'pkcs1', format: 'pem' }).toString());
  const certs = [certPem, ...chainPem].map((p) => forge.pki.certificateFromPem(p));
  const asn1 = forge.pkcs12.toPkcs12Asn1(key, certs, passphrase, { algorithm: '3des', friendlyName: 'facility' });
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}

// ---------------------------------------------------------------------------------------------
// Development CA (for the demo and tests only)

export interface DevCa {
  keyPem: string;
  certPem: string;
}

export interface IssuedCertificate {
  keyPem: string;
  certPem: string;
  /** SHA-256 fingerprint of the certificate DER (hex). */
  fingerprint: string;
}

export interface IssueOptions {
  notBefore?: Date;
  notAfter?: Date;
  /** RSA size (default 2048). */
  bits?: number;
  /** Key usage of the certificate (default digitalSignature + nonRepudiation). */
  keyUsage?: { digitalSignature?: boolean; nonRepudiation?: boolean; keyEncipherment?: boolean };
}

function utf8Attr(name: string, value: string) {
  return { name, value, valueTagClass: forge.asn1.Type.UTF8 as unknown as forge.asn1.Class };
}

function newRsaKey(bits: number): { keyPem: string; forgeKey: forge.pki.rsa.PrivateKey; forgePub: forge.pki.rsa.PublicKey } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const forgeKey = forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()) as forge.pki.rsa.PrivateKey;
  return { keyPem, forgeKey, forgePub: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e) };
}

function serial(): string {
  const b = randomBytes(16);
  b[0] &= 0x7f;
  return b.toString('hex');
}

/**
 * A development root CA ("sosuckhoe DEV CA — không dùng thật"). Never use it outside the demo and
 * tests; the gateway trusts it only when configured to.
 */
export function createDevCaSync(o: { name?: string; notBefore?: Date; notAfter?: Date; bits?: number; issuer?: DevCa } = {}): DevCa {
  const k = newRsaKey(o.bits ?? 2048);
  const cert = forge.pki.createCertificate();
  cert.publicKey = k.forgePub;
  cert.serialNumber = serial();
  const nb = o.notBefore ?? new Date(Date.now() - 24 * 3600e3);
  cert.validity.notBefore = nb;
  cert.validity.notAfter = o.notAfter ?? new Date(nb.getTime() + 10 * 365 * 24 * 3600e3);
  const attrs = [utf8Attr('commonName', o.name ?? 'sosuckhoe DEV CA (chỉ dùng phát triển)'), utf8Attr('organizationName', 'sosuckhoe development'), { name: 'countryName', value: 'VN' }];
  cert.setSubject(attrs);
  // o.issuer: an intermediate CA issued by that CA (to test chains like public CA → root).
  cert.setIssuer(o.issuer ? issuerAttributes(forge.pki.certificateFromPem(o.issuer.certPem)) : attrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(o.issuer ? forge.pki.privateKeyFromPem(createPrivateKey(o.issuer.keyPem).export({ type: 'pkcs1', format: 'pem' }).toString()) : k.forgeKey, forge.md.sha256.create());
  return { keyPem: k.keyPem, certPem: forge.pki.certificateToPem(cert) };
}

/** The subject of `ca` as issuer attributes. forge hands UTF8String values back as UTF-8 byte strings; decode them so they re-encode identically. */
function issuerAttributes(ca: forge.pki.Certificate) {
  return ca.subject.attributes.map((a) => (a.valueTagClass === (forge.asn1.Type.UTF8 as unknown) && typeof a.value === 'string' ? { ...a, value: forge.util.decodeUtf8(a.value) } : a));
}

export async function createDevCa(o: { name?: string; notBefore?: Date; notAfter?: Date; bits?: number } = {}): Promise<DevCa> {
  return createDevCaSync(o);
}

/**
 * A facility signing certificate issued by the dev CA. The facility code is carried in the subject
 * twice: `UID=MACSKCB:<code>` (as Vietnamese organisation certificates carry `UID=MST:…`) and
 * `OU=MACSKCB:<code>`.
 */
export function issueFacilityCertificateSync(ca: DevCa, macskcb: string, name: string, o: IssueOptions = {}): IssuedCertificate {
  const k = newRsaKey(o.bits ?? 2048);
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const caKey = forge.pki.privateKeyFromPem(createPrivateKey(ca.keyPem).export({ type: 'pkcs1', format: 'pem' }).toString());
  const cert = forge.pki.createCertificate();
  cert.publicKey = k.forgePub;
  cert.serialNumber = serial();
  const nb = o.notBefore ?? new Date(Date.now() - 3600e3);
  cert.validity.notBefore = nb;
  cert.validity.notAfter = o.notAfter ?? new Date(nb.getTime() + 3 * 365 * 24 * 3600e3);
  cert.setSubject([
    { name: 'countryName', value: 'VN' },
    utf8Attr('organizationName', name),
    { shortName: 'OU', value: `MACSKCB:${macskcb}` },
    utf8Attr('commonName', name),
    { type: '0.9.2342.19200300.100.1.1', value: `MACSKCB:${macskcb}` },
  ]);
  cert.setIssuer(issuerAttributes(caCert));
  const ku = o.keyUsage ?? { digitalSignature: true, nonRepudiation: true };
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: !!ku.digitalSignature, nonRepudiation: !!ku.nonRepudiation, keyEncipherment: !!ku.keyEncipherment, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  const certPem = forge.pki.certificateToPem(cert);
  return { keyPem: k.keyPem, certPem, fingerprint: createHash('sha256').update(new X509Certificate(certPem).raw).digest('hex') };
}

export async function issueFacilityCertificate(ca: DevCa, macskcb: string, name: string, o: IssueOptions = {}): Promise<IssuedCertificate> {
  return issueFacilityCertificateSync(ca, macskcb, name, o);
}
