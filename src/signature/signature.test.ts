import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signXml, verifySignedXml, certificateInfo, signerFromPkcs12, toPkcs12, readPkcs12 } from './index.ts';
import { testCa, otherCa, smallPackage } from './testing.ts';

const ca = testCa();
const f = ca.facility('79001');

test('round trip: sign a hand-written GIAMDINHHS and verify with anchors and with the expected certificate', async () => {
  const signed = await signXml(smallPackage('79001'), f.signer);
  const a = verifySignedXml(signed, { trustAnchors: [ca.certPem] });
  assert.equal(a.ok, true);
  if (a.ok) {
    assert.equal(a.certificate.facilityCode, '79001');
    assert.equal(a.certificate.fingerprint, f.fingerprint);
  }
  const b = verifySignedXml(signed, { expectedCertificates: [f.der] });
  assert.equal(b.ok, true);
  // bytes outside CHUKYDONVI are kept exactly
  const src = smallPackage('79001').toString();
  const out = signed.toString();
  assert.equal(out.slice(0, out.indexOf('<CHUKYDONVI>')), src.slice(0, src.indexOf('<CHUKYDONVI/>')));
  assert.ok(out.endsWith('</CHUKYDONVI>\n</GIAMDINHHS>\n'));
});

test('root namespaces and a missing CHUKYDONVI', async () => {
  const s1 = await signXml(smallPackage('79001', { namespaces: true }), f.signer);
  assert.equal(verifySignedXml(s1, { trustAnchors: [ca.certPem] }).ok, true);
  const s2 = await signXml(smallPackage('79001', { container: false }), f.signer);
  assert.match(s2.toString(), /<CHUKYDONVI><ds:Signature/);
  assert.equal(verifySignedXml(s2, { trustAnchors: [ca.certPem] }).ok, true);
});

test('certificate facts: facility code from the subject, validity, fingerprint', () => {
  const i = certificateInfo(f.certPem);
  assert.equal(i.facilityCode, '79001');
  assert.match(i.subject, /Bệnh viện thử nghiệm 79001/);
  assert.equal(i.keyBits, 2048);
  assert.ok(i.notAfter > new Date());
  assert.equal(certificateInfo(ca.certPem).isCa, true);
});

test('PKCS#12 round trip: signer from .p12 with a passphrase; wrong passphrase refused', async () => {
  const p12 = toPkcs12(f.keyPem, f.certPem, 'mật-khẩu', [ca.certPem]);
  const r = readPkcs12(p12, 'mật-khẩu');
  assert.equal(r.chainPem.length, 1);
  const s = signerFromPkcs12(p12, 'mật-khẩu');
  const signed = await signXml(smallPackage('79001'), s);
  assert.equal(verifySignedXml(signed, { expectedCertificates: [f.der] }).ok, true);
  assert.throws(() => signerFromPkcs12(p12, 'sai'), /SIG_P12_INVALID/);
});

test('an untrusted CA and another facility are refused', async () => {
  const o = otherCa().facility('79001');
  const signed = await signXml(smallPackage('79001'), o.signer);
  const r = verifySignedXml(signed, { trustAnchors: [ca.certPem] });
  assert.equal(r.ok, false);
  if (!r.ok) assert.equal(r.code, 'SIG_CERT_UNTRUSTED');
  const g = ca.facility('79002');
  const s2 = await signXml(smallPackage('79001'), g.signer);
  const r2 = verifySignedXml(s2, { expectedCertificates: [f.der] });
  assert.equal(!r2.ok && r2.code, 'SIG_CERT_NOT_EXPECTED');
  const r3 = verifySignedXml(s2, { trustAnchors: [ca.certPem], expectedFacility: '79001' });
  assert.equal(!r3.ok && r3.code, 'SIG_CERT_FACILITY_MISMATCH');
});

test('a CA with a Vietnamese name: the facility certificate chains to it (issuer encoded identically)', async () => {
  const { createDevCaSync, issueFacilityCertificateSync, signerFromPem } = await import('./index.ts');
  const vca = createDevCaSync({ name: 'CA phát triển — thử nghiệm' });
  const c = issueFacilityCertificateSync(vca, '01001', 'Bệnh viện Bạch Mai (thử)');
  const signed = await signXml(smallPackage('01001'), signerFromPem(c.keyPem, c.certPem));
  const r = verifySignedXml(signed, { trustAnchors: [vca.certPem] });
  assert.equal(r.ok, true);
  if (r.ok) assert.match(r.certificate.issuer, /CA phát triển/);
});

test('a chain root → intermediate → facility: intermediates from the document or the options; the intermediate alone is not an anchor', async () => {
  const { createDevCaSync, issueFacilityCertificateSync, signerFromPem } = await import('./index.ts');
  const root = createDevCaSync({ name: 'Root CA (thử)' });
  const mid = createDevCaSync({ name: 'Trung gian CA', issuer: root });
  const c = issueFacilityCertificateSync(mid, '01002', 'Bệnh viện C');
  const signed = await signXml(smallPackage('01002'), signerFromPem(c.keyPem, c.certPem));
  assert.equal(verifySignedXml(signed, { trustAnchors: [root.certPem] }).ok, false, 'no intermediate known');
  assert.equal(verifySignedXml(signed, { trustAnchors: [root.certPem], intermediates: [mid.certPem] }).ok, true);
  // the intermediate carried in X509Data completes the chain too
  const midB64 = mid.certPem.replace(/-----[A-Z ]+-----|\s+/g, '');
  const withChain = Buffer.from(signed.toString().replace('</ds:X509Data>', `<ds:X509Certificate>${midB64}</ds:X509Certificate></ds:X509Data>`));
  // (adding a certificate changes no signed byte: KeyInfo is outside SignedInfo and the digest excludes the signature)
  assert.equal(verifySignedXml(withChain, { trustAnchors: [root.certPem] }).ok, true);
  const other = createDevCaSync({ name: 'Khác' });
  const r = verifySignedXml(withChain, { trustAnchors: [other.certPem] });
  assert.equal(!r.ok && r.code, 'SIG_CERT_UNTRUSTED');
});
