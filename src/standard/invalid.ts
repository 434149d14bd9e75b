// Invalid variants, one (at least) per rule: each breaks exactly one thing of a valid package and
// names the problem code the validator must report. Built from typed data, like the valid ones.
import { buildPackage, buildTableXml } from './package.ts';
import { validDossier, validPackage, syntheticCatalogue } from './fixtures.ts';
import { catalogueCheck } from './facility-catalogue.ts';
import type { ValidateOptions } from './validate.ts';
import type { Dossier, Package, Row, TableCode } from './types.ts';

export interface InvalidVariant {
  name: string;
  /** The problem code the validator must report. */
  code: string;
  /** The bytes to validate (validateBytes). */
  bytes?: Buffer;
  /** Or a parsed package (validatePackage), for shapes the builder refuses to write. */
  pkg?: Package;
  options?: ValidateOptions;
}

const clone = <T>(x: T): T => structuredClone(x);

function withDossier(mutate: (d: Dossier) => void, opts: Parameters<typeof validDossier>[0] = {}): Package {
  const p = validPackage({ ...opts, count: 1 });
  mutate(p.dossiers[0]);
  return p;
}

function x1(d: Dossier): Row {
  return d.tables.XML1![0];
}

function field(name: string, code: string, table: TableCode, row: number, f: string, value: string, opts: Parameters<typeof validDossier>[0] = {}): InvalidVariant {
  const pkg = withDossier((d) => {
    d.tables[table]![row][f] = value;
  }, opts);
  return { name, code, bytes: buildPackage(pkg) };
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** The envelope text of a valid one-dossier package, for byte-level variants. */
function envelope(): string {
  return buildPackage(validPackage()).toString('utf8');
}

export function invalidVariants(): InvalidVariant[] {
  const v: InvalidVariant[] = [];
  const bytes = (s: string) => Buffer.from(s, 'utf8');
  // (a) structure
  v.push({ name: 'wrong root', code: 'STD_ROOT', bytes: bytes('<?xml version="1.0" encoding="utf-8"?><GOI/>') });
  v.push({ name: 'no THONGTINDONVI', code: 'STD_ELEMENT_MISSING', bytes: bytes(envelope().replace(/<THONGTINDONVI>[\s\S]*?<\/THONGTINDONVI>/, '')) });
  v.push({ name: 'unknown envelope element', code: 'STD_ELEMENT_UNKNOWN', bytes: bytes(envelope().replace('<CHUKYDONVI/>', '<GHICHU>x</GHICHU><CHUKYDONVI/>')) });
  v.push({ name: 'truncated base64', code: 'STD_BASE64', bytes: bytes(envelope().replace(/<NOIDUNGFILE>([^<]*)<\/NOIDUNGFILE>/, (_m, s: string) => `<NOIDUNGFILE>${s.slice(0, s.length - 3)}</NOIDUNGFILE>`)) });
  v.push({ name: 'base64 alphabet', code: 'STD_BASE64', bytes: bytes(envelope().replace(/<NOIDUNGFILE>([^<]{4})/, '<NOIDUNGFILE>!!!!')) });
  v.push({ name: 'unknown LOAIHOSO', code: 'STD_LOAIHOSO_UNKNOWN', bytes: bytes(envelope().replace('<LOAIHOSO>XML2</LOAIHOSO>', '<LOAIHOSO>XML99</LOAIHOSO>')) });
  v.push({ name: 'check-in inside a package', code: 'STD_TABLE_NOT_IN_PACKAGE', bytes: bytes(envelope().replace('<LOAIHOSO>XML2</LOAIHOSO>', '<LOAIHOSO>XML0</LOAIHOSO>')) });
  v.push({ name: 'table labelled with another LOAIHOSO', code: 'STD_TABLE_ROOT', bytes: bytes(envelope().replace('<LOAIHOSO>XML2</LOAIHOSO>', '<LOAIHOSO>XML5</LOAIHOSO>')) });
  v.push({ name: 'table twice', code: 'STD_TABLE_REPEATED', bytes: bytes(envelope().replace(/(<FILEHOSO>\s*<LOAIHOSO>XML2<\/LOAIHOSO>[\s\S]*?<\/FILEHOSO>)/, '$1$1')) });
  v.push({ name: 'SOLUONGHOSO wrong', code: 'STD_COUNT_MISMATCH', bytes: bytes(envelope().replace('<SOLUONGHOSO>1</SOLUONGHOSO>', '<SOLUONGHOSO>2</SOLUONGHOSO>')) });
  v.push({ name: 'no HOSO', code: 'STD_NO_DOSSIER', bytes: bytes(envelope().replace(/<DANHSACHHOSO>[\s\S]*<\/DANHSACHHOSO>/, '<DANHSACHHOSO/>').replace('<SOLUONGHOSO>1</SOLUONGHOSO>', '<SOLUONGHOSO>0</SOLUONGHOSO>')) });
  {
    const d = validDossier();
    const xml2 = buildTableXml('XML2', d.tables.XML2!);
    const nested = xml2.replace(/<TEN_THUOC>([^<]*)<\/TEN_THUOC>/, '<TEN_THUOC><b>$1</b></TEN_THUOC>');
    const repeated = xml2.replace(/(<TEN_THUOC>[^<]*<\/TEN_THUOC>)/, '$1$1');
    const unknownField = xml2.replace('<TEN_THUOC>', '<TEN_BIET_DUOC>x</TEN_BIET_DUOC><TEN_THUOC>');
    const env = envelope();
    const sub = (inner: string) => bytes(env.replace(/(<LOAIHOSO>XML2<\/LOAIHOSO>\s*<NOIDUNGFILE>)[^<]*/, `$1${b64(inner)}`));
    v.push({ name: 'field with child element', code: 'STD_FIELD_NESTED', bytes: sub(nested) });
    v.push({ name: 'field twice', code: 'STD_ELEMENT_REPEATED', bytes: sub(repeated) });
    v.push({ name: 'field not in the standard', code: 'STD_ELEMENT_UNKNOWN', bytes: sub(unknownField) });
    v.push({ name: 'inner table not well-formed', code: 'XML_NOT_WELL_FORMED', bytes: sub(xml2.slice(0, 200)) });
    v.push({ name: 'inner table with DTD', code: 'XML_DTD_FORBIDDEN', bytes: sub(xml2.replace('<CHITIEU', '<!DOCTYPE x [<!ENTITY a "b">]><CHITIEU')) });
  }
  v.push({ name: 'DOCTYPE in the package', code: 'XML_DTD_FORBIDDEN', bytes: bytes(envelope().replace('<GIAMDINHHS>', '<!DOCTYPE GIAMDINHHS [<!ENTITY e SYSTEM "file:///etc/passwd">]><GIAMDINHHS>')) });
  v.push({ name: 'not XML', code: 'XML_NOT_WELL_FORMED', bytes: bytes('this is not xml') });
  v.push({ name: 'invalid UTF-8', code: 'XML_BAD_ENCODING', bytes: Buffer.concat([bytes('<?xml version="1.0" encoding="utf-8"?><GIAMDINHHS>'), Buffer.from([0xc3, 0x28, 0xff]), bytes('</GIAMDINHHS>')]) });
  v.push({ name: 'over the byte limit', code: 'XML_TOO_LARGE', bytes: buildPackage(validPackage()), options: { limits: { maxBytes: 1000 } } });
  v.push({ name: 'over the dossier limit', code: 'STD_LIMIT', bytes: buildPackage(validPackage({ count: 3 })), options: { limits: { maxDossiers: 2 } } });
  v.push({ name: 'no XML1', code: 'STD_XML1_MISSING', bytes: buildPackage(withDossier((d) => delete d.tables.XML1)) });
  v.push({ name: 'XML1 with two rows', code: 'STD_XML1_ONE_ROW', pkg: withDossier((d) => d.tables.XML1!.push(clone(x1(d)))) });
  // (b) fields
  v.push(field('required field empty', 'STD_FIELD_REQUIRED', 'XML1', 0, 'HO_TEN', ''));
  v.push(field('too long', 'STD_FIELD_TOO_LONG', 'XML1', 0, 'MA_KHOA', 'K'.repeat(51)));
  v.push(field('decimal comma', 'STD_FIELD_NUMBER', 'XML2', 0, 'SO_LUONG', '2,5'));
  v.push(field('number too many digits', 'STD_FIELD_NUMBER', 'XML1', 0, 'GIOI_TINH', '12'));
  v.push(field('month 13', 'STD_FIELD_DATE', 'XML1', 0, 'NAM_NAM_LIEN_TUC', '20251301'));
  v.push(field('datetime without minutes', 'STD_FIELD_DATETIME', 'XML1', 0, 'NGAY_RA', '2025011008'));
  v.push(field('card date malformed', 'STD_FIELD_DATE_ANY', 'XML1', 0, 'GT_THE_TU', '2025-01-01'));
  v.push(field('ISO date in a date list', 'STD_FIELD_DATE_ANY', 'XML1', 0, 'NGAY_TAI_KHAM', '2025-01-10'));
  v.push(field('gender 4', 'STD_FIELD_CODE', 'XML1', 0, 'GIOI_TINH', '4'));
  v.push(field('MA_LOAI_KCB one digit', 'STD_FIELD_CODE', 'XML1', 0, 'MA_LOAI_KCB', '1'));
  v.push(field('KET_QUA_DTRI 9', 'STD_FIELD_CODE', 'XML1', 0, 'KET_QUA_DTRI', '9'));
  v.push(field('result without time', 'STD_FIELD_CONDITIONAL', 'XML4', 0, 'NGAY_KQ', ''));
  v.push(field('lab service without performer', 'STD_FIELD_CONDITIONAL', 'XML3', 1, 'NGUOI_THUC_HIEN', ''));
  // (c) identities
  v.push({ ...field('personal ID of 5 digits', 'STD_ID_PERSONAL', 'XML1', 0, 'SO_CCCD', '12345') });
  v.push(field('BHYT card short', 'STD_ID_BHYT', 'XML1', 0, 'MA_THE_BHYT', 'DN40100'));
  v.push(field('facility code of 4', 'STD_ID_FACILITY', 'XML1', 0, 'MA_DKBD', '1001'));
  v.push(field('ICD-10 malformed', 'STD_ID_ICD10', 'XML1', 0, 'MA_BENH_KT', 'I10;XYZ'));
  v.push(field('13 secondary diagnoses', 'STD_ID_ICD10_COUNT', 'XML1', 0, 'MA_BENH_KT', Array.from({ length: 13 }, (_, i) => `I${10 + i}`).join(';').slice(0, 100)));
  // (d) cross-field and cross-table
  v.push(field('MA_LK differs in XML2', 'STD_MALK_MISMATCH', 'XML2', 0, 'MA_LK', 'KHAC'));
  {
    const p = validPackage({ count: 2 });
    p.dossiers[1] = clone(p.dossiers[0]);
    v.push({ name: 'MA_LK twice in a package', code: 'STD_MALK_DUPLICATE', bytes: buildPackage(p) });
  }
  v.push(field('XML1 facility differs from the envelope', 'STD_MACSKCB_MISMATCH', 'XML1', 0, 'MA_CSKCB', '79001'));
  v.push({ name: 'discharge before admission', code: 'STD_DATE_ORDER', bytes: buildPackage(withDossier((d) => (x1(d).NGAY_RA = '202001010800'))) });
  v.push({ name: 'card valid-to before valid-from', code: 'STD_DATE_ORDER', bytes: buildPackage(withDossier((d) => (x1(d).GT_THE_DEN = '20200101'))) });
  v.push(field('T_THUOC off', 'STD_TOTAL_MISMATCH', 'XML1', 0, 'T_THUOC', '1'));
  v.push(field('T_TONGCHI_BV off', 'STD_TOTAL_MISMATCH', 'XML1', 0, 'T_TONGCHI_BV', '1'));
  v.push(field('row amount wrong', 'STD_ROW_AMOUNT', 'XML2', 0, 'DON_GIA', '1'));
  v.push(field('lab result for a service not billed', 'STD_XML4_SERVICE', 'XML4', 0, 'MA_DICH_VU', '99.9999.9999'));
  v.push(field('transfer without referral', 'STD_REFERRAL_MISSING', 'XML1', 0, 'MA_LOAI_RV', '2'));
  v.push(field('referral without transfer', 'STD_REFERRAL_UNEXPECTED', 'XML1', 0, 'MA_LOAI_RV', '1', { transfer: true }));
  v.push(field('STT out of order', 'STD_STT_SEQUENCE', 'XML2', 1, 'STT', '5'));
  v.push(field('treatment days for a visit', 'STD_SO_NGAY_DTRI', 'XML1', 0, 'SO_NGAY_DTRI', '3'));
  v.push(field('card lists differ in length', 'STD_CARD_LIST', 'XML1', 0, 'MA_DKBD', '01001;01002'));
  v.push(field('discharge paper admission differs', 'STD_FIELD_MISMATCH', 'XML7', 0, 'NGAY_VAO', '202001010800', { allTables: true }));
  v.push({ name: 'empty table', code: 'STD_EMPTY_TABLE', pkg: withDossier((d) => (d.tables.XML2 = [])) });
  v.push({ name: 'control character in a field', code: 'STD_FIELD_CONTROL_CHAR', pkg: withDossier((d) => (x1(d).GHI_CHU = 'tái khám\u0007')) });
  v.push({ name: 'XML13 in the 3176 order where 4750 is declared', code: 'STD_EDITION_LAYOUT', bytes: buildPackage(validPackage({ transfer: true })), options: { edition: '4750' } });
  // Facility catalogue (approved codes and prices): the synthetic catalogue covers every fixture code.
  const checks = [catalogueCheck({ entries: syntheticCatalogue() })];
  v.push({ ...field('drug not in the facility catalogue', 'STD_CAT_UNKNOWN', 'XML2', 0, 'MA_THUOC', '40.99999'), options: { checks } });
  v.push({ ...field('price differs from the approved price', 'STD_CAT_PRICE', 'XML3', 0, 'DON_GIA_BH', '1'), options: { checks } });
  v.push({ ...field('unit differs from the catalogue', 'STD_CAT_UNIT', 'XML2', 0, 'DON_VI_TINH', 'Hộp'), options: { checks } });
  v.push({ name: 'code not in force at the visit date', code: 'STD_CAT_NOT_IN_FORCE', bytes: buildPackage(validPackage({ admittedAt: '202301100800' })), options: { checks } });
  return v;
}
