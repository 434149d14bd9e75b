// Signatures: sign/s and verify/s of a typical (~20 KB) and a large (~1 MB) package with our
// narrow XMLDSig verifier, each against the bare cost measured in the same run: one node:crypto
// RSA-2048 verify (sign for signing) plus SHA-256 of the same bytes.
import { createHash, sign as rsaSign, verify as rsaVerify, createPrivateKey } from 'node:crypto';
import { fig, rate, type Figure, type Section } from '../harness.ts';
import { signXml, verifySignedXml } from '../../src/signature/index.ts';
import { testCa } from '../../src/signature/testing.ts';

/** A GIAMDINHHS package of about `bytes` bytes: dossiers of base64 table documents. */
function packageOf(bytes: number): Buffer {
  const row = (i: number) => `<CHI_TIET_THUOC><MA_LK>LK${i}</MA_LK><STT>${i}</STT><MA_THUOC>40.${i}</MA_THUOC><TEN_THUOC><![CDATA[Paracetamol 500mg viên nén]]></TEN_THUOC><SO_LUONG>10</SO_LUONG><DON_GIA>1500</DON_GIA><THANH_TIEN_BV>15000</THANH_TIEN_BV></CHI_TIET_THUOC>`;
  const files: string[] = [];
  let size = 400;
  let i = 0;
  while (size < bytes) {
    const rows = Array.from({ length: 20 }, (_, k) => row(i * 20 + k)).join('');
    const b64 = Buffer.from(`<?xml version="1.0" encoding="utf-8"?>\n<CHITIEU_CHITIET_THUOC><DSACH_CHI_TIET_THUOC>${rows}</DSACH_CHI_TIET_THUOC></CHITIEU_CHITIET_THUOC>`).toString('base64');
    const f = `<HOSO><FILEHOSO><LOAIHOSO>XML2</LOAIHOSO><NOIDUNGFILE>${b64}</NOIDUNGFILE></FILEHOSO></HOSO>`;
    files.push(f);
    size += f.length;
    i++;
  }
  return Buffer.from(
    `<?xml version="1.0" encoding="utf-8"?>\n<GIAMDINHHS><THONGTINDONVI><MACSKCB>79001</MACSKCB></THONGTINDONVI><THONGTINHOSO><NGAYLAP>20260115</NGAYLAP><SOLUONGHOSO>${files.length}</SOLUONGHOSO><DANHSACHHOSO>${files.join('')}</DANHSACHHOSO></THONGTINHOSO><CHUKYDONVI/></GIAMDINHHS>`,
  );
}

const section: Section = {
  name: 'signature',
  async run(ctx) {
    const ms = Math.max(200, 1500 * ctx.scale);
    const ca = testCa();
    const f = ca.facility('79001');
    const key = createPrivateKey(f.keyPem);
    const pub = createPrivateKey(f.keyPem);
    const out: Figure[] = [];
    for (const [label, target] of [
      ['~20 KB', 20 * 1024],
      ['~1 MB', 1024 * 1024],
    ] as const) {
      const unsigned = packageOf(target);
      const signed = await signXml(unsigned, f.signer);
      const kb = Math.round(signed.length / 1024);
      ctx.log(`${label}: ${kb} KiB`);
      const check = verifySignedXml(signed, { expectedCertificates: [f.der], trustAnchors: [ca.certPem] });
      if (!check.ok) throw new Error(`verify failed: ${check.code}`);
      // warm up (JIT, caches) before any timing
      for (let i = 0; i < 20; i++) {
        verifySignedXml(signed, { expectedCertificates: [f.der] });
        verifySignedXml(signed, { trustAnchors: [ca.certPem] });
      }
      const digest = createHash('sha256').update('x').digest();
      const sig = rsaSign('sha256', digest, key);
      const bareVerify = await rate(() => {
        createHash('sha256').update(signed).digest();
        rsaVerify('sha256', digest, pub, sig);
      }, ms);
      const bareSign = await rate(() => {
        createHash('sha256').update(signed).digest();
        rsaSign('sha256', digest, key);
      }, ms);
      const verifyPinned = await rate(() => verifySignedXml(signed, { expectedCertificates: [f.der] }), ms);
      const verifyChain = await rate(() => verifySignedXml(signed, { trustAnchors: [ca.certPem] }), ms);
      const signRate = await rate(() => signXml(unsigned, f.signer), ms);
      out.push(
        fig(`verify/s ${label} (${kb} KiB), pinned certificate`, verifyPinned, 'ops/s', { name: 'RSA-2048 verify + SHA-256 of the bytes', value: bareVerify }),
        fig(`verify/s ${label} (${kb} KiB), chain to trust anchor`, verifyChain, 'ops/s', { name: 'RSA-2048 verify + SHA-256 of the bytes', value: bareVerify }),
        fig(`sign/s ${label} (${kb} KiB)`, signRate, 'ops/s', { name: 'RSA-2048 sign + SHA-256 of the bytes', value: bareSign }),
      );
    }
    return out;
  },
};

export default section;
