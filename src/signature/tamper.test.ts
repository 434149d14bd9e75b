// Every tamper of issue 3 and the regressions of known XMLDSig CVEs, each refused with its own
// code; xml-crypto (pinned certificate) and xmlsec1 as independent oracles on the same vectors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sign as rsaSign, X509Certificate } from 'node:crypto';
import { SignedXml } from 'xml-crypto';
import { signXml, verifySignedXml, issueFacilityCertificateSync, signerFromPem, type Signer, type VerifyOptions } from './index.ts';
import { testCa, otherCa, smallPackage } from './testing.ts';

const ca = testCa();
const f = ca.facility('79001');
const trust: VerifyOptions = { trustAnchors: [ca.certPem] };
const signed = (await signXml(smallPackage('79001'), f.signer)).toString('utf8');

function code(xml: string | Buffer, o: VerifyOptions = trust): string {
  const r = verifySignedXml(Buffer.from(xml), o);
  return r.ok ? 'OK' : r.code;
}

function xmlCryptoOk(xml: string, certPem: string): boolean {
  const m = /<ds:Signature[\s\S]*<\/ds:Signature>/.exec(xml);
  if (!m) return false;
  const s = new SignedXml({ publicCert: certPem, getCertFromKeyInfo: () => null });
  try {
    s.loadSignature(m[0]);
    return s.checkSignature(xml);
  } catch {
    return false;
  }
}

const dir = mkdtempSync(join(tmpdir(), 'ssk-sig-'));
writeFileSync(join(dir, 'ca.pem'), ca.certPem);
writeFileSync(join(dir, 'key.pem'), f.keyPem);
writeFileSync(join(dir, 'cert.pem'), f.certPem);
let n = 0;
function xmlsec1Ok(xml: string): boolean {
  const file = join(dir, `v${n++}.xml`);
  writeFileSync(file, xml);
  try {
    execFileSync('xmlsec1', ['--verify', '--trusted-pem', join(dir, 'ca.pem'), '--enabled-reference-uris', 'empty', file], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}
function xmlsec1Sign(template: string): string {
  const file = join(dir, `t${n++}.xml`);
  const out = `${file}.signed`;
  writeFileSync(file, template);
  execFileSync('xmlsec1', ['--sign', '--privkey-pem', `${join(dir, 'key.pem')},${join(dir, 'cert.pem')}`, '--output', out, file], { stdio: 'pipe' });
  return readFileSync(out, 'utf8');
}
test.after(() => rmSync(dir, { recursive: true, force: true }));

function template(sigAlg: string, digestAlg: string): string {
  return smallPackage('79001', { namespaces: true })
    .toString()
    .replace(
      '<CHUKYDONVI/>',
      `<CHUKYDONVI><Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignedInfo><CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/><SignatureMethod Algorithm="${sigAlg}"/><Reference URI=""><Transforms><Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/></Transforms><DigestMethod Algorithm="${digestAlg}"/><DigestValue/></Reference></SignedInfo><SignatureValue/><KeyInfo><X509Data/></KeyInfo></Signature></CHUKYDONVI>`,
    );
}

const b64 = /<NOIDUNGFILE>([^<]+)<\/NOIDUNGFILE>/.exec(signed)![1];
const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
const sigValue = /<ds:SignatureValue>([^<]+)</.exec(signed)![1];

// The vectors: name → [tampered document, our expected code, oracles agree it is valid?]
const vectors: [string, string, string, boolean][] = [
  ['valid', signed, 'OK', true],
  ['a byte in a table (NOIDUNGFILE base64)', signed.replace(b64, flip(b64, 40)), 'SIG_DIGEST_MISMATCH', false],
  ['a byte in the envelope (NGAYLAP)', signed.replace('<NGAYLAP>20260115', '<NGAYLAP>20260116'), 'SIG_DIGEST_MISMATCH', false],
  ['a byte in the signature base64', signed.replace(sigValue, flip(sigValue, 10)), 'SIG_SIGNATURE_MISMATCH', false],
  ['a changed SignedInfo (digest value)', signed.replace(/<ds:DigestValue>(.)/, (_m, c: string) => `<ds:DigestValue>${c === 'A' ? 'B' : 'A'}`), 'SIG_SIGNATURE_MISMATCH', false],
];

test('tamper vectors: our verdict, xml-crypto (pinned certificate) and xmlsec1 agree', () => {
  for (const [name, xml, expected, valid] of vectors) {
    assert.equal(code(xml), expected, name);
    assert.equal(xmlCryptoOk(xml, f.certPem), valid, `xml-crypto on ${name}`);
    assert.equal(xmlsec1Ok(xml), valid, `xmlsec1 on ${name}`);
  }
});

test('interop: xmlsec1 verifies what we sign (with root namespaces) and we verify what xmlsec1 signs', async () => {
  const ours = (await signXml(smallPackage('79001', { namespaces: true }), f.signer)).toString();
  assert.equal(xmlsec1Ok(ours), true);
  const theirs = xmlsec1Sign(template('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256', 'http://www.w3.org/2001/04/xmlenc#sha256'));
  assert.equal(code(theirs), 'OK');
  assert.equal(code(theirs, { expectedCertificates: [f.der] }), 'OK');
  assert.equal(xmlCryptoOk(ours, f.certPem), true);
  // and a tampered xmlsec1 signature is refused by us
  assert.equal(code(theirs.replace('<NGAYLAP>20260115', '<NGAYLAP>20260117')), 'SIG_DIGEST_MISMATCH');
});

test('SHA-1 (signed by xmlsec1) refused unless allowed', () => {
  const sha1 = xmlsec1Sign(template('http://www.w3.org/2000/09/xmldsig#rsa-sha1', 'http://www.w3.org/2000/09/xmldsig#sha1'));
  assert.equal(code(sha1), 'SIG_SHA1_REFUSED');
  assert.equal(code(sha1, { ...trust, allowSha1: true }), 'OK');
});

test('moved, duplicated and wrapped signatures', () => {
  const sig = /<ds:Signature[\s\S]*<\/ds:Signature>/.exec(signed)![0];
  const moved = signed.replace(sig, '').replace('</THONGTINDONVI>', `${sig}</THONGTINDONVI>`);
  assert.equal(code(moved), 'SIG_MISPLACED');
  const duplicated = signed.replace(sig, sig + sig);
  assert.equal(code(duplicated), 'SIG_MULTIPLE');
  // Classic wrapping: the original signed content moved into a ds:Object, the visible content changed.
  const wrapped = signed.replace('<NGAYLAP>20260115', '<NGAYLAP>20990101').replace('</ds:KeyInfo>', `</ds:KeyInfo><ds:Object>${signed.slice(signed.indexOf('<THONGTINDONVI>'), signed.indexOf('<CHUKYDONVI>'))}</ds:Object>`);
  assert.equal(code(wrapped), 'SIG_STRUCTURE');
  // A copy of the signature hidden elsewhere in the document (signature count catches it).
  const hidden = signed.replace('</THONGTINHOSO>', `<X>${sig.replace(/ds:/g, 'dz:').replace('xmlns:ds=', 'xmlns:dz=')}</X></THONGTINHOSO>`);
  assert.equal(code(hidden), 'SIG_MULTIPLE');
  // ... also with an undeclared prefix (libxml2 recovers it as a name without namespace).
  const undeclared = signed.replace('</THONGTINHOSO>', `<X>${sig.replace(/ds:/g, 'dz:')}</X></THONGTINHOSO>`);
  assert.equal(code(undeclared), 'SIG_MULTIPLE');
  // A second CHUKYDONVI element after the signed one.
  assert.equal(code(signed.replace('</CHUKYDONVI>', '</CHUKYDONVI><CHUKYDONVI/>')), 'SIG_MISPLACED');
  // Extra element beside the signature inside CHUKYDONVI.
  assert.equal(code(signed.replace('</ds:Signature>', '</ds:Signature><GHI_CHU/>')), 'SIG_MISPLACED');
  // ds elements outside the signature.
  assert.equal(code(signed.replace('<THONGTINHOSO>', '<THONGTINHOSO><ds:DigestValue xmlns:ds="http://www.w3.org/2000/09/xmldsig#">x</ds:DigestValue>')), 'SIG_STRUCTURE');
});

test('changed algorithms and transforms', () => {
  assert.equal(code(signed.replace('xmldsig-more#rsa-sha256', 'xmldsig-more#rsa-sha512')), 'SIG_SIGNATURE_ALGORITHM');
  assert.equal(code(signed.replace('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256', 'http://www.w3.org/2000/09/xmldsig#hmac-sha1')), 'SIG_SIGNATURE_ALGORITHM');
  assert.equal(code(signed.replace('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256', 'http://www.w3.org/2000/09/xmldsig#rsa-sha1')), 'SIG_SHA1_REFUSED');
  assert.equal(code(signed.replace('xmlenc#sha256', 'xmlenc#sha512')), 'SIG_DIGEST_ALGORITHM');
  assert.equal(code(signed.replace('<ds:CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"', '<ds:CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments"')), 'SIG_C14N_ALGORITHM');
  assert.equal(code(signed.replace('<ds:Transform Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/>', '<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>')), 'SIG_TRANSFORMS');
  assert.equal(code(signed.replace('<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>', '')), 'SIG_TRANSFORMS');
  assert.equal(code(signed.replace('<ds:Transforms>', '<ds:Transforms><ds:Transform Algorithm="http://www.w3.org/TR/1999/REC-xpath-19991116"><ds:XPath>1</ds:XPath></ds:Transform>')), 'SIG_TRANSFORMS');
});

test('CVE regressions: comment in DigestValue, multiple references, reference URI, duplicate IDs, DTD', () => {
  // CVE-2025-29775: a comment inside DigestValue must not make us read part of the value.
  assert.equal(code(signed.replace(/<ds:DigestValue>(....)/, '<ds:DigestValue>$1<!---->')), 'SIG_VALUE_FORMAT');
  assert.equal(code(signed.replace(/<ds:SignatureValue>(....)/, '<ds:SignatureValue>$1<!-- x -->')), 'SIG_VALUE_FORMAT');
  // CVE-2025-29774 / CVE-2024-32962: more than one Reference; a Reference to an ID.
  const ref = /<ds:Reference[\s\S]*<\/ds:Reference>/.exec(signed)![0];
  assert.equal(code(signed.replace(ref, ref + ref.replace('URI=""', 'URI="#x"'))), 'SIG_REFERENCE_COUNT');
  assert.equal(code(signed.replace('<ds:Reference URI=""', '<ds:Reference URI="#hs"').replace('<THONGTINHOSO>', '<THONGTINHOSO Id="hs">')), 'SIG_REFERENCE_URI');
  assert.equal(code(signed.replace('<THONGTINHOSO>', '<THONGTINHOSO Id="a">').replace('<THONGTINDONVI>', '<THONGTINDONVI Id="a">')), 'SIG_DUPLICATE_ID');
  assert.equal(code(signed.replace('<THONGTINHOSO>', '<THONGTINHOSO ID\n=\t"a">').replace('<THONGTINDONVI>', '<THONGTINDONVI id="a">')), 'SIG_DUPLICATE_ID');
  // DTD / entities (billion laughs, external entity) refused before parsing.
  assert.equal(code(signed.replace('<GIAMDINHHS>', '<!DOCTYPE GIAMDINHHS [<!ENTITY x SYSTEM "file:///etc/passwd">]><GIAMDINHHS>')), 'SIG_DTD_FORBIDDEN');
  // A Signature with an Object is outside the profile.
  assert.equal(code(signed.replace('</ds:KeyInfo>', '</ds:KeyInfo><ds:Object/>')), 'SIG_STRUCTURE');
  assert.equal(code(signed.replace(/<ds:KeyInfo>[\s\S]*<\/ds:KeyInfo>/, '')), 'SIG_NO_CERTIFICATE');
  assert.equal(code(signed.replace(/<ds:X509Certificate>[^<]+/, '<ds:X509Certificate>AAAA')), 'SIG_CERT_INVALID');
  assert.equal(code(smallPackage('79001')), 'SIG_MISSING');
  assert.equal(code('<GIAMDINHHS><CHUKYDONVI>'), 'SIG_XML_INVALID');
  assert.equal(code(signed.replace(/GIAMDINHHS/g, 'KHAC')), 'SIG_ROOT_UNKNOWN');
  assert.equal(code(signed, {}), 'SIG_NO_TRUST');
  assert.equal(code(signed, { ...trust, maxBytes: 100 }), 'SIG_TOO_LARGE');
});

test('certificate checks: expired, not yet valid, key usage, weak key, untrusted, other facility', async () => {
  assert.equal(code(signed, { ...trust, at: new Date(Date.now() + 20 * 365 * 24 * 3600e3) }), 'SIG_CERT_EXPIRED');
  const expired = ca.issue('79001', { notBefore: new Date('2020-01-01'), notAfter: new Date('2021-01-01') });
  assert.equal(code(await signXml(smallPackage('79001'), expired.signer)), 'SIG_CERT_EXPIRED');
  // valid at the time it was used (the CA itself is younger, so judge by the pinned certificate)
  assert.equal(code(await signXml(smallPackage('79001'), expired.signer), { expectedCertificates: [expired.der], at: new Date('2020-06-01') }), 'OK');
  const future = ca.issue('79001', { notBefore: new Date(Date.now() + 365 * 24 * 3600e3) });
  assert.equal(code(await signXml(smallPackage('79001'), future.signer)), 'SIG_CERT_NOT_YET_VALID');
  const encOnly = ca.issue('79001', { keyUsage: { keyEncipherment: true } });
  assert.equal(code(await signXml(smallPackage('79001'), encOnly.signer)), 'SIG_CERT_KEY_USAGE');
  // A 1024-bit key: the signer helpers refuse it, a custom signer shows the verifier does too.
  const weak = issueFacilityCertificateSync(ca, '79001', 'Yếu', { bits: 1024 });
  assert.throws(() => signerFromPem(weak.keyPem, weak.certPem), /SIG_KEY_WEAK/);
  const weakSigner: Signer = { certificateDer: new X509Certificate(weak.certPem).raw, algorithm: 'rsa-sha256', sign: async (d) => rsaSign('sha256', d, weak.keyPem) };
  assert.equal(code(await signXml(smallPackage('79001'), weakSigner)), 'SIG_KEY_WEAK');
  const stranger = otherCa().facility('79001');
  assert.equal(code(await signXml(smallPackage('79001'), stranger.signer)), 'SIG_CERT_UNTRUSTED');
  const other = ca.facility('79002');
  const byOther = await signXml(smallPackage('79001'), other.signer);
  assert.equal(code(byOther, { expectedCertificates: [f.der] }), 'SIG_CERT_NOT_EXPECTED');
  assert.equal(code(byOther, { ...trust, expectedFacility: '79001' }), 'SIG_CERT_FACILITY_MISMATCH');
  // Swapping in the other facility's certificate while keeping our signature value fails the signature.
  const swapped = signed.replace(/<ds:X509Certificate>[^<]+/, `<ds:X509Certificate>${other.der.toString('base64')}`);
  assert.equal(code(swapped), 'SIG_SIGNATURE_MISMATCH');
});

test('check-in (XML0) and GĐYK (XML12) documents are signed and verified the same way; signing twice is refused', async () => {
  for (const root of ['CHI_TIEU_TRANG_THAI_KCB', 'CHI_TIEU_GIAM_DINH_YKHOA']) {
    const doc = Buffer.from(`<?xml version="1.0" encoding="utf-8"?>\n<${root}><DSACH><ROW><MA_LK>LK1</MA_LK><GHI_CHU><![CDATA[<CHUKYDONVI/> trong ghi chú]]></GHI_CHU></ROW></DSACH><CHUKYDONVI/></${root}>`);
    const s = await signXml(doc, f.signer);
    assert.equal(code(s), 'OK', root);
    assert.equal(xmlsec1Ok(s.toString()), true, root);
    await assert.rejects(signXml(s, f.signer), /SIG_ALREADY_SIGNED/);
  }
  await assert.rejects(signXml(Buffer.from('<KHAC><CHUKYDONVI/></KHAC>'), f.signer), /SIG_ROOT_UNKNOWN/);
});
