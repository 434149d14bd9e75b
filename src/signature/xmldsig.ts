// Enveloped XMLDSig for the one profile of the standard (spec §5): one ds:Signature inside the
// root's CHUKYDONVI, one Reference URI="" with the enveloped-signature transform, C14N 1.0 without
// comments, RSA-SHA256, SHA-256, the signer's certificate in KeyInfo. Our own narrow verifier
// (ENGINEERING.md "A safe verifier, in order"); xml-crypto and xmlsec1 are test oracles only.
// Pure: libxml2-wasm for parsing and canonicalization, node:crypto for the cryptography.
import { verify as rsaVerify, X509Certificate } from 'node:crypto';
import { XmlElement, XmlText, XmlCData, type XmlDocument, type XmlNode } from 'libxml2-wasm';
import { XmlComment } from 'libxml2-wasm';
import { problem, ProblemError, type Problem } from '../errors/index.ts';
import { parseXml, hasDtd, rootPtr, firstElementPtr, nextElementPtr, namePtr, XML_ERRORS } from '../standard/xml.ts';
import { SIG } from './errors.ts';
import { c14nDigest } from './digest.ts';
import { certificateInfo, chainsToAnchor, checkSigningCertificate, type Signer } from './certs.ts';

export const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';
export const ALG = {
  C14N: 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315',
  C14N_COMMENTS: 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments',
  ENVELOPED: 'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
  RSA_SHA256: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  RSA_SHA1: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
  SHA256: 'http://www.w3.org/2001/04/xmlenc#sha256',
  SHA1: 'http://www.w3.org/2000/09/xmldsig#sha1',
} as const;

/** Roots of the documents that carry a CHUKYDONVI (package, check-in, GĐYK, death notice, driving-licence health check). */
export const SIGNABLE_ROOTS = ['GIAMDINHHS', 'CHI_TIEU_TRANG_THAI_KCB', 'CHI_TIEU_GIAM_DINH_YKHOA', 'CHI_TIEU_DU_LIEU_GIAY_BAO_TU', 'CHI_TIEU_DU_LIEU_GIAY_KSK_LAI_XE'] as const;
export const SIGNATURE_CONTAINER = 'CHUKYDONVI';
/** Default byte cap of a signed document (the parser's own cap is larger). */
export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

const ELEMENT = 1;

function bytesSink() {
  const parts: Buffer[] = [];
  return {
    parts,
    write(buf: Uint8Array): number {
      parts.push(Buffer.from(buf));
      return buf.byteLength;
    },
    close(): boolean {
      return true;
    },
  };
}

function elementChildren(el: XmlElement): XmlElement[] {
  const out: XmlElement[] = [];
  for (let c = el.firstChild; c; c = c.next) if (c instanceof XmlElement) out.push(c);
  return out;
}

function lastElementChild(el: XmlElement): XmlElement | null {
  for (let c = el.lastChild; c; c = c.prev) if (c instanceof XmlElement) return c;
  return null;
}

// ---------------------------------------------------------------------------------------------
// Signing

function escapeNothing(b64: string): string {
  return b64; // base64 needs no escaping
}

function signatureXml(digestB64: string, signatureB64: string, certB64: string): string {
  return (
    `<ds:Signature xmlns:ds="${DSIG_NS}">` +
    `<ds:SignedInfo>` +
    `<ds:CanonicalizationMethod Algorithm="${ALG.C14N}"/>` +
    `<ds:SignatureMethod Algorithm="${ALG.RSA_SHA256}"/>` +
    `<ds:Reference URI="">` +
    `<ds:Transforms><ds:Transform Algorithm="${ALG.ENVELOPED}"/><ds:Transform Algorithm="${ALG.C14N}"/></ds:Transforms>` +
    `<ds:DigestMethod Algorithm="${ALG.SHA256}"/>` +
    `<ds:DigestValue>${escapeNothing(digestB64)}</ds:DigestValue>` +
    `</ds:Reference>` +
    `</ds:SignedInfo>` +
    `<ds:SignatureValue>${escapeNothing(signatureB64)}</ds:SignatureValue>` +
    `<ds:KeyInfo><ds:X509Data><ds:X509Certificate>${certB64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>` +
    `</ds:Signature>`
  );
}

/**
 * Locate the CHUKYDONVI element in the bytes (tags are ASCII, so byte offsets are safe in UTF-8):
 * [start, end) of the element, or the insertion point before the root's end tag when it is
 * missing. The parse afterwards proves the location.
 */
function locateContainer(buf: Buffer, root: string): { start: number; end: number; present: boolean } {
  const closeRoot = buf.lastIndexOf(`</${root}`);
  if (closeRoot < 0) throw ProblemError.of(SIG.SIG_XML_INVALID, root, { detail: 'no end tag of the root' });
  const open = closeRoot > 0 ? buf.lastIndexOf(`<${SIGNATURE_CONTAINER}`, closeRoot - 1) : -1;
  if (open >= 0) {
    const after = buf[open + SIGNATURE_CONTAINER.length + 1];
    if (after === 0x3e /* > */ || after === 0x2f /* / */ || after === 0x20 || after === 0x09 || after === 0x0d || after === 0x0a) {
      const gt = buf.indexOf(0x3e, open);
      if (buf[gt - 1] === 0x2f) return { start: open, end: gt + 1, present: true };
      const close = buf.indexOf(`</${SIGNATURE_CONTAINER}>`, gt);
      if (close >= 0 && close < closeRoot) {
        if (buf.toString('utf8', gt + 1, close).trim() !== '') throw ProblemError.of(SIG.SIG_ALREADY_SIGNED, SIGNATURE_CONTAINER);
        return { start: open, end: close + SIGNATURE_CONTAINER.length + 3, present: true };
      }
    }
  }
  return { start: closeRoot, end: closeRoot, present: false };
}

function rootNameOf(doc: XmlDocument): string {
  return doc.root.name;
}

/**
 * Sign a package (GIAMDINHHS), a check-in (CHI_TIEU_TRANG_THAI_KCB) or a GĐYK document: fills the
 * root's CHUKYDONVI with an enveloped XMLDSig (appends CHUKYDONVI when missing). Every byte outside
 * CHUKYDONVI is kept as given; send the result byte-for-byte.
 */
export async function signXml(bytes: Uint8Array, signer: Signer, opts: { maxBytes?: number } = {}): Promise<Buffer> {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const input = parseChecked(bytes, maxBytes);
  let root: string;
  try {
    root = rootNameOf(input);
    if (!(SIGNABLE_ROOTS as readonly string[]).includes(root)) throw ProblemError.of(SIG.SIG_ROOT_UNKNOWN, root, { root: root.slice(0, 60) });
    const last = lastElementChild(input.root);
    if (last?.name === SIGNATURE_CONTAINER && elementChildren(last).length) throw ProblemError.of(SIG.SIG_ALREADY_SIGNED, SIGNATURE_CONTAINER);
  } finally {
    input.dispose();
  }
  // Byte slices, no UTF-8 decode and re-encode of the whole document.
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const loc = locateContainer(buf, root);
  const head = buf.subarray(0, loc.start);
  const tail = buf.subarray(loc.end);
  const emptyContainer = Buffer.from(`<${SIGNATURE_CONTAINER}></${SIGNATURE_CONTAINER}>`);
  // 1. Digest of the document as the verifier will see it after the enveloped transform.
  const unsigned = Buffer.concat([head, emptyContainer, tail]);
  const doc1 = parseChecked(unsigned, maxBytes);
  let digest: string;
  try {
    const last = lastElementChild(doc1.root);
    if (last?.name !== SIGNATURE_CONTAINER) throw ProblemError.of(SIG.SIG_MISPLACED, SIGNATURE_CONTAINER);
    digest = c14nDigest(doc1, rootPtr(doc1), 'sha256').toString('base64');
  } finally {
    doc1.dispose();
  }
  // 2. Canonical SignedInfo in the context of the document (inherits the root's namespaces).
  const certB64 = signer.certificateDer.toString('base64');
  const container = (value: string) => Buffer.from(`<${SIGNATURE_CONTAINER}>` + signatureXml(digest, value, certB64) + `</${SIGNATURE_CONTAINER}>`);
  const doc2 = parseChecked(Buffer.concat([head, container(''), tail]), maxBytes + 64 * 1024);
  let signedInfo: Buffer;
  try {
    const si = doc2.get('/*/*[local-name()="CHUKYDONVI"][last()]/ds:Signature/ds:SignedInfo', { ds: DSIG_NS });
    if (!(si instanceof XmlElement)) throw ProblemError.of(SIG.SIG_MISPLACED, SIGNATURE_CONTAINER);
    const sink = bytesSink();
    doc2.canonicalize(sink, { mode: 0, withComments: false, nodeSet: new Set<XmlNode>([si]) });
    signedInfo = Buffer.concat(sink.parts);
  } finally {
    doc2.dispose();
  }
  let value: Buffer;
  try {
    value = await signer.sign(signedInfo);
  } catch (e) {
    if (e instanceof ProblemError) throw e;
    throw ProblemError.of(SIG.SIG_SIGNER_FAILED, 'signer');
  }
  if (!Buffer.isBuffer(value) || value.length === 0) throw ProblemError.of(SIG.SIG_SIGNER_FAILED, 'signer');
  return Buffer.concat([head, container(value.toString('base64')), tail]);
}

function parseChecked(bytes: Uint8Array, maxBytes: number): XmlDocument {
  if (bytes.byteLength > maxBytes) throw ProblemError.of(SIG.SIG_TOO_LARGE, '', { limit: maxBytes });
  try {
    return parseXml(bytes, { maxBytes });
  } catch (e) {
    const p = e instanceof ProblemError ? e.problems[0] : undefined;
    if (p?.code === XML_ERRORS.XML_DTD_FORBIDDEN.code || hasDtd(bytes)) throw ProblemError.of(SIG.SIG_DTD_FORBIDDEN, '');
    throw ProblemError.of(SIG.SIG_XML_INVALID, '', { detail: (p?.en ?? 'parse error').slice(0, 200) });
  }
}

// ---------------------------------------------------------------------------------------------
// Verifying

export interface VerifyOptions {
  /** Trusted CA certificates (PEM or DER); the signing certificate must chain to one of them. */
  trustAnchors?: (string | Uint8Array)[];
  /** Untrusted intermediate CA certificates that may complete the chain. */
  intermediates?: (string | Uint8Array)[];
  /** The certificates registered for the sender (DER): the signing certificate must be one of them. */
  expectedCertificates?: Uint8Array[];
  /** The facility code the certificate must carry (MACSKCB in its subject). */
  expectedFacility?: string;
  /** The moment the certificate must be valid at (default now; the gateway passes the receive time). */
  at?: Date;
  /** Accept RSA-SHA1 / SHA-1 (default false). */
  allowSha1?: boolean;
  /** Accept the document's own certificate when no anchors or expected certificates are given (CLI only). */
  trustEmbedded?: boolean;
  /** Byte cap (default 64 MiB). */
  maxBytes?: number;
}

export interface VerifiedCertificate {
  der: Buffer;
  fingerprint: string;
  subject: string;
  issuer: string;
  serial: string;
  notBefore: Date;
  notAfter: Date;
  facilityCode?: string;
}

export type VerifyResult = { ok: true; certificate: VerifiedCertificate; signedAt?: Date } | { ok: false; code: string; reason: Problem };

const certCache = new Map<string, { cert: X509Certificate; isCa: boolean } | null>();
/** Parsed certificates by their DER (a gateway sees the same few certificates again and again). */
function parsedCertificate(der: Buffer): { cert: X509Certificate; isCa: boolean } | null {
  const key = der.toString('base64');
  if (certCache.has(key)) return certCache.get(key)!;
  let v: { cert: X509Certificate; isCa: boolean } | null;
  try {
    const cert = new X509Certificate(der);
    v = { cert, isCa: cert.ca };
  } catch {
    v = null;
  }
  if (certCache.size > 1000) certCache.clear();
  certCache.set(key, v);
  return v;
}

function fail(p: Problem): VerifyResult {
  return { ok: false, code: p.code, reason: p };
}

/** The whole text of an element that must hold exactly one text node (no comments, no elements). */
function singleText(el: XmlElement, what: string, path: string): string | Problem {
  const c = el.firstChild;
  if (!c) return '';
  if (c.next || !(c instanceof XmlText) || c instanceof XmlCData || c instanceof XmlComment) return problem(SIG.SIG_VALUE_FORMAT, path, { what });
  return c.content;
}

const B64 = /^[A-Za-z0-9+/]+={0,2}$/;
function base64(text: string, what: string, path: string): Buffer | Problem {
  const t = text.replace(/[\r\n\t ]+/g, '');
  if (!t || t.length % 4 !== 0 || !B64.test(t)) return problem(SIG.SIG_VALUE_FORMAT, path, { what });
  return Buffer.from(t, 'base64');
}

function isDs(el: XmlElement | null | undefined, local: string): el is XmlElement {
  return !!el && el.namespaceUri === DSIG_NS && localName(el) === local;
}

function localName(el: XmlElement): string {
  const n = el.name;
  const i = n.indexOf(':');
  return i >= 0 ? n.slice(i + 1) : n;
}

function attrNames(el: XmlElement): string[] {
  return el.attrs.map((a) => (a.prefix ? `${a.prefix}:${a.name}` : a.name));
}

/** Only the listed attributes (plus an Id) may appear on a profile element. */
function onlyAttrs(el: XmlElement, allowed: string[], path: string): Problem | null {
  for (const a of attrNames(el)) if (!allowed.includes(a) && a !== 'Id') return problem(SIG.SIG_STRUCTURE, path, { detail: `attribute ${a.slice(0, 40)}` });
  return null;
}

function algorithmOf(el: XmlElement): string {
  return el.attr('Algorithm')?.value ?? '';
}

/**
 * Verify a signed document, synchronously. Refuses, each with its own SIG_ code: DTDs, more or
 * fewer than one signature, a signature elsewhere than the root's last CHUKYDONVI, any structure,
 * algorithm or transform outside the profile, values with comments or extra nodes, duplicate IDs,
 * a digest or signature mismatch, and a certificate that is not expected/trusted/valid/fit.
 * The key is chosen by trust (expected certificates, anchors), never by the document alone.
 */
export function verifySignedXml(bytes: Uint8Array, opts: VerifyOptions = {}): VerifyResult {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  if (!opts.trustAnchors?.length && !opts.expectedCertificates?.length && !opts.trustEmbedded) return fail(problem(SIG.SIG_NO_TRUST, ''));
  let doc: XmlDocument;
  try {
    doc = parseChecked(bytes, maxBytes);
  } catch (e) {
    if (e instanceof ProblemError) return fail(e.problems[0]);
    return fail(problem(SIG.SIG_XML_INVALID, '', { detail: 'parse error' }));
  }
  try {
    return verifyDoc(doc, opts, bytes);
  } catch (e) {
    if (e instanceof ProblemError) return fail(e.problems[0]);
    return fail(problem(SIG.SIG_XML_INVALID, '', { detail: (e instanceof Error ? e.message : String(e)).slice(0, 120) }));
  } finally {
    doc.dispose();
  }
}

/**
 * True when the bytes may hold an attribute named Id/ID/id (any letter case). Every attribute has
 * an '=', and '=' is rare elsewhere (base64 padding, text), so one native scan for '=' and a look
 * back over whitespace at the two bytes before it replaces a scan per name and separator. False
 * positives only cost the XPath below; there are no false negatives.
 */
function hasIdAttribute(bytes: Uint8Array): boolean {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = b.indexOf(0x3d); i >= 0; i = b.indexOf(0x3d, i + 1)) {
    let j = i - 1;
    while (j >= 0 && (b[j] === 0x20 || b[j] === 0x09 || b[j] === 0x0a || b[j] === 0x0d)) j--;
    if (j >= 1 && (b[j] | 0x20) === 0x64 /* d */ && (b[j - 1] | 0x20) === 0x69 /* i */) return true;
  }
  return false;
}

const DS_NAMES = new Set(['Signature', 'SignedInfo', 'SignatureValue', 'KeyInfo', 'X509Data', 'X509Certificate', 'CanonicalizationMethod', 'SignatureMethod', 'Reference', 'Transforms', 'Transform', 'DigestMethod', 'DigestValue', 'Object', 'Manifest', 'SignatureProperties']);

function ptrOf(el: XmlElement): number {
  return (el as unknown as { _nodePtr: number })._nodePtr;
}

/** Count Signature elements (any namespace/prefix) and XMLDSig-named elements outside the one signature. */
function scanElements(root: number): { signatures: number; signaturePtr: number; dsOutside: number; mayHaveIds: boolean } {
  let signatures = 0;
  let signaturePtr = 0;
  let dsOutside = 0;
  const walk = (ptr: number, inside: boolean, depth: number) => {
    if (depth > 256) throw ProblemError.of(SIG.SIG_XML_INVALID, '', { detail: 'too deep' });
    for (let c = firstElementPtr(ptr); c; c = nextElementPtr(c)) {
      const name = namePtr(c);
      const local = name.includes(':') ? name.slice(name.lastIndexOf(':') + 1) : name;
      let inSig = inside;
      if (local === 'Signature') {
        signatures++;
        if (!signaturePtr) signaturePtr = c;
        inSig = true;
      } else if (!inside && DS_NAMES.has(local)) dsOutside++;
      if (firstElementPtr(c)) walk(c, inSig, depth + 1);
    }
  };
  walk(root, false, 0);
  return { signatures, signaturePtr, dsOutside, mayHaveIds: true };
}

function verifyDoc(doc: XmlDocument, opts: VerifyOptions, bytes?: Uint8Array): VerifyResult {
  const root = doc.root;
  const rootName = root.name;
  if (!(SIGNABLE_ROOTS as readonly string[]).includes(rootName) || root.namespaceUri) return fail(problem(SIG.SIG_ROOT_UNKNOWN, rootName, { root: rootName.slice(0, 60) }));
  // Exactly one Signature in the whole document, whatever its namespace or prefix, and no XMLDSig
  // element outside it (wrapped copies). One walk over the element pointers, no XPath.
  const scan = scanElements(rootPtr(doc));
  if (scan.signatures === 0) return fail(problem(SIG.SIG_MISSING, SIGNATURE_CONTAINER));
  if (scan.signatures > 1) return fail(problem(SIG.SIG_MULTIPLE, SIGNATURE_CONTAINER, { count: scan.signatures }));
  const path = `${rootName}/${SIGNATURE_CONTAINER}/Signature`;
  const container = lastElementChild(root);
  const sig = container && container.name === SIGNATURE_CONTAINER ? elementChildren(container) : [];
  if (sig.length !== 1 || ptrOf(sig[0]) !== scan.signaturePtr || !isDs(sig[0], 'Signature')) return fail(problem(SIG.SIG_MISPLACED, path));
  if (scan.dsOutside) return fail(problem(SIG.SIG_STRUCTURE, path, { detail: 'XMLDSig elements outside the signature' }));
  // Duplicate IDs anywhere (defence in depth: our profile references no ID). Byte pre-scan first.
  if (bytes ? hasIdAttribute(bytes) : scan.mayHaveIds) {
    const ids = doc.find('//@*[local-name()="Id" or local-name()="ID" or local-name()="id"]');
    const seen = new Set<string>();
    for (const a of ids) {
      const v = (a as unknown as { value: string }).value;
      if (seen.has(v)) return fail(problem(SIG.SIG_DUPLICATE_ID, path, { id: v.slice(0, 40) }));
      seen.add(v);
    }
  }
  const sigEl = sig[0];
  // Signature = SignedInfo, SignatureValue, KeyInfo (nothing else: no Object).
  const bad = onlyAttrs(sigEl, [], path);
  if (bad) return fail(bad);
  const parts = elementChildren(sigEl);
  if (parts.length !== 3 || !isDs(parts[0], 'SignedInfo') || !isDs(parts[1], 'SignatureValue') || !isDs(parts[2], 'KeyInfo')) {
    if (parts.length === 2 && isDs(parts[0], 'SignedInfo') && isDs(parts[1], 'SignatureValue')) return fail(problem(SIG.SIG_NO_CERTIFICATE, `${path}/KeyInfo`));
    return fail(problem(SIG.SIG_STRUCTURE, path, { detail: 'expected SignedInfo, SignatureValue, KeyInfo' }));
  }
  const [signedInfo, sigValueEl, keyInfo] = parts;
  const siPath = `${path}/SignedInfo`;
  const si = elementChildren(signedInfo);
  const refs = si.filter((e) => isDs(e, 'Reference'));
  if (refs.length !== 1) return fail(problem(SIG.SIG_REFERENCE_COUNT, siPath, { count: refs.length }));
  if (si.length !== 3 || !isDs(si[0], 'CanonicalizationMethod') || !isDs(si[1], 'SignatureMethod') || !isDs(si[2], 'Reference')) {
    return fail(problem(SIG.SIG_STRUCTURE, siPath, { detail: 'expected CanonicalizationMethod, SignatureMethod, Reference' }));
  }
  for (const e of [signedInfo, si[0], si[1]]) {
    const b = onlyAttrs(e, e === signedInfo ? [] : ['Algorithm'], siPath);
    if (b) return fail(b);
    if (e !== signedInfo && elementChildren(e).length) return fail(problem(SIG.SIG_STRUCTURE, siPath, { detail: 'algorithm parameters' }));
  }
  const c14n = algorithmOf(si[0]);
  if (c14n !== ALG.C14N) return fail(problem(SIG.SIG_C14N_ALGORITHM, `${siPath}/CanonicalizationMethod`, { alg: c14n.slice(0, 100) }));
  const sigAlg = algorithmOf(si[1]);
  let sigHash: 'sha256' | 'sha1';
  if (sigAlg === ALG.RSA_SHA256) sigHash = 'sha256';
  else if (sigAlg === ALG.RSA_SHA1) {
    if (!opts.allowSha1) return fail(problem(SIG.SIG_SHA1_REFUSED, `${siPath}/SignatureMethod`));
    sigHash = 'sha1';
  } else return fail(problem(SIG.SIG_SIGNATURE_ALGORITHM, `${siPath}/SignatureMethod`, { alg: sigAlg.slice(0, 100) }));
  // The one Reference: URI="", transforms exactly enveloped [+ c14n], SHA-256 digest.
  const ref = si[2];
  const refPath = `${siPath}/Reference`;
  const rb = onlyAttrs(ref, ['URI', 'Type'], refPath);
  if (rb) return fail(rb);
  const uri = ref.attr('URI');
  if (!uri || uri.value !== '') return fail(problem(SIG.SIG_REFERENCE_URI, refPath));
  const rc = elementChildren(ref);
  if (rc.length !== 3 || !isDs(rc[0], 'Transforms') || !isDs(rc[1], 'DigestMethod') || !isDs(rc[2], 'DigestValue')) {
    return fail(problem(SIG.SIG_STRUCTURE, refPath, { detail: 'expected Transforms, DigestMethod, DigestValue' }));
  }
  const transforms = elementChildren(rc[0]);
  const tAlgs = transforms.map((t) => (isDs(t, 'Transform') && !elementChildren(t).length && !onlyAttrs(t, ['Algorithm'], refPath) ? algorithmOf(t) : '?'));
  const tOk = (tAlgs.length === 1 && tAlgs[0] === ALG.ENVELOPED) || (tAlgs.length === 2 && tAlgs[0] === ALG.ENVELOPED && tAlgs[1] === ALG.C14N);
  if (!tOk) return fail(problem(SIG.SIG_TRANSFORMS, `${refPath}/Transforms`));
  const dAlg = algorithmOf(rc[1]);
  let digestHash: 'sha256' | 'sha1';
  if (dAlg === ALG.SHA256) digestHash = 'sha256';
  else if (dAlg === ALG.SHA1) {
    if (!opts.allowSha1) return fail(problem(SIG.SIG_SHA1_REFUSED, `${refPath}/DigestMethod`));
    digestHash = 'sha1';
  } else return fail(problem(SIG.SIG_DIGEST_ALGORITHM, `${refPath}/DigestMethod`, { alg: dAlg.slice(0, 100) }));
  if (elementChildren(rc[1]).length) return fail(problem(SIG.SIG_STRUCTURE, refPath, { detail: 'digest parameters' }));
  // Values as whole text (a comment inside DigestValue is refused, not skipped).
  const dvText = singleText(rc[2], 'DigestValue', `${refPath}/DigestValue`);
  if (typeof dvText !== 'string') return fail(dvText);
  const digestValue = base64(dvText, 'DigestValue', `${refPath}/DigestValue`);
  if (!Buffer.isBuffer(digestValue)) return fail(digestValue);
  const svb = onlyAttrs(sigValueEl, [], `${path}/SignatureValue`);
  if (svb) return fail(svb);
  const svText = singleText(sigValueEl, 'SignatureValue', `${path}/SignatureValue`);
  if (typeof svText !== 'string') return fail(svText);
  const sigValue = base64(svText, 'SignatureValue', `${path}/SignatureValue`);
  if (!Buffer.isBuffer(sigValue)) return fail(sigValue);
  // The certificate: exactly one X509Certificate in KeyInfo/X509Data.
  const kiPath = `${path}/KeyInfo`;
  const x509Data = elementChildren(keyInfo);
  if (x509Data.length !== 1 || !isDs(x509Data[0], 'X509Data')) return fail(problem(SIG.SIG_NO_CERTIFICATE, kiPath));
  const certEls = elementChildren(x509Data[0]).filter((e) => isDs(e, 'X509Certificate'));
  if (certEls.length < 1) return fail(problem(SIG.SIG_NO_CERTIFICATE, kiPath));
  const certTexts: Buffer[] = [];
  for (const ce of certEls) {
    const t = singleText(ce, 'X509Certificate', kiPath);
    if (typeof t !== 'string') return fail(t);
    const b = base64(t, 'X509Certificate', kiPath);
    if (!Buffer.isBuffer(b)) return fail(b);
    certTexts.push(b);
  }
  let cert: X509Certificate | null = null;
  const extra: Buffer[] = [];
  for (const der of certTexts) {
    const x = parsedCertificate(der);
    if (!x) return fail(problem(SIG.SIG_CERT_INVALID, kiPath));
    if (!x.isCa && !cert) cert = x.cert;
    else extra.push(der);
  }
  if (!cert) return fail(problem(SIG.SIG_NO_CERTIFICATE, kiPath));
  // Trust decides the key: the certificate must be an expected one and/or chain to an anchor.
  if (opts.expectedCertificates?.length) {
    const raw = cert.raw;
    if (!opts.expectedCertificates.some((e) => Buffer.from(e.buffer, e.byteOffset, e.byteLength).equals(raw))) return fail(problem(SIG.SIG_CERT_NOT_EXPECTED, kiPath));
  }
  const at = opts.at ?? new Date();
  const certProblem = checkSigningCertificate(cert, at, kiPath);
  if (certProblem) return fail(certProblem);
  if (opts.trustAnchors?.length && !chainsToAnchor(cert, { trustAnchors: opts.trustAnchors, intermediates: [...(opts.intermediates ?? []), ...extra], at })) {
    return fail(problem(SIG.SIG_CERT_UNTRUSTED, kiPath));
  }
  const info = certificateInfo(cert);
  if (opts.expectedFacility && info.facilityCode !== opts.expectedFacility) {
    return fail(problem(SIG.SIG_CERT_FACILITY_MISMATCH, kiPath, { expected: opts.expectedFacility, found: info.facilityCode ?? '-' }));
  }
  // 1. The signature over the canonical SignedInfo (in its document context).
  const sink = bytesSink();
  doc.canonicalize(sink, { mode: 0, withComments: false, nodeSet: new Set<XmlNode>([signedInfo]) });
  const siBytes = Buffer.concat(sink.parts);
  let sigOk = false;
  try {
    sigOk = rsaVerify(sigHash, siBytes, cert.publicKey, sigValue);
  } catch {
    sigOk = false;
  }
  if (!sigOk) return fail(problem(SIG.SIG_SIGNATURE_MISMATCH, `${path}/SignatureValue`));
  // 2. The digest of the whole document without the Signature (enveloped transform, C14N 1.0).
  sigEl.remove();
  const actual = c14nDigest(doc, rootPtr(doc), digestHash);
  if (actual.length !== digestValue.length || !actual.equals(digestValue)) return fail(problem(SIG.SIG_DIGEST_MISMATCH, rootName));
  return {
    ok: true,
    certificate: {
      der: info.der,
      fingerprint: info.fingerprint,
      subject: info.subject,
      issuer: info.issuer,
      serial: info.serial,
      notBefore: info.notBefore,
      notAfter: info.notAfter,
      facilityCode: info.facilityCode,
    },
  };
}
