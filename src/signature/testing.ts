// Test aid for every module: one development CA and facility certificates per process (RSA key
// generation is the slow part), and small hand-written documents to sign.
import { createDevCaSync, issueFacilityCertificateSync, signerFromPem, type DevCa, type IssuedCertificate, type IssueOptions, type Signer } from './certs.ts';

export interface TestFacilityCert extends IssuedCertificate {
  macskcb: string;
  signer: Signer;
  /** DER of the certificate (what the gateway registers). */
  der: Buffer;
}

export interface TestCa extends DevCa {
  /** A facility certificate of this CA (cached per code). */
  facility(macskcb: string, name?: string): TestFacilityCert;
  /** A fresh certificate with custom options (not cached). */
  issue(macskcb: string, o?: IssueOptions, name?: string): TestFacilityCert;
}

let cached: TestCa | undefined;

function wrap(ca: DevCa): TestCa {
  const certs = new Map<string, TestFacilityCert>();
  const make = (macskcb: string, o: IssueOptions = {}, name = `Bệnh viện thử nghiệm ${macskcb}`): TestFacilityCert => {
    const c = issueFacilityCertificateSync(ca, macskcb, name, o);
    const signer = signerFromPem(c.keyPem, c.certPem);
    return { ...c, macskcb, signer, der: signer.certificateDer };
  };
  return {
    ...ca,
    facility(macskcb, name) {
      let c = certs.get(macskcb);
      if (!c) certs.set(macskcb, (c = make(macskcb, {}, name)));
      return c;
    },
    issue: make,
  };
}

/** The process-wide test CA (created once). */
export function testCa(): TestCa {
  cached ??= wrap(createDevCaSync({ name: 'sosuckhoe TEST CA' }));
  return cached;
}

/** Another, independent CA (for "untrusted CA" tests); not cached. */
export function otherCa(): TestCa {
  return wrap(createDevCaSync({ name: 'Untrusted TEST CA' }));
}

/** A small hand-written GIAMDINHHS package (one dossier with an XML1), unsigned, with `<CHUKYDONVI/>`. */
export function smallPackage(macskcb = '79001', opts: { namespaces?: boolean; container?: boolean } = {}): Buffer {
  const xml1 = `<?xml version="1.0" encoding="utf-8"?>\n<TONG_HOP><MA_LK>LK0001</MA_LK><STT>1</STT><MA_BN>BN01</MA_BN><HO_TEN><![CDATA[Nguyễn Văn A]]></HO_TEN></TONG_HOP>`;
  const b64 = Buffer.from(xml1, 'utf8').toString('base64');
  const ns = opts.namespaces ? ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"' : '';
  return Buffer.from(
    `<?xml version="1.0" encoding="utf-8"?>\n<GIAMDINHHS${ns}>\n  <THONGTINDONVI>\n    <MACSKCB>${macskcb}</MACSKCB>\n  </THONGTINDONVI>\n  <THONGTINHOSO>\n    <NGAYLAP>20260115</NGAYLAP>\n    <SOLUONGHOSO>1</SOLUONGHOSO>\n    <DANHSACHHOSO>\n      <HOSO>\n        <FILEHOSO>\n          <LOAIHOSO>XML1</LOAIHOSO>\n          <NOIDUNGFILE>${b64}</NOIDUNGFILE>\n        </FILEHOSO>\n      </HOSO>\n    </DANHSACHHOSO>\n  </THONGTINHOSO>\n${opts.container === false ? '' : '  <CHUKYDONVI/>\n'}</GIAMDINHHS>\n`,
    'utf8',
  );
}
