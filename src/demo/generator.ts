// The synthetic province: deterministic from a seed. Facilities of every level with 5-character
// MACSKCB codes (province prefix), practitioners with licence numbers, citizens with well-formed
// 12-digit personal IDs and 15-character BHYT cards, and realistic encounters as typed Dossiers
// whose money totals add up (XML1 = XML2 + XML3). Pure: no I/O.
import { fieldsOf, type Dossier, type Package, type Row, type TableCode } from '../standard/index.ts';
import { ICD10, DRUGS, SERVICES, SUPPLIES, LAB_TESTS, IMAGING, FAMILY, MIDDLE, GIVEN_M, GIVEN_F, DISTRICT_NAMES, COMMUNE_PREFIX, GROUPS, type CatalogueItem } from './data.ts';

/** A small, fast, deterministic PRNG (mulberry32). */
export class Rng {
  #s: number;
  constructor(seed: number) {
    this.#s = seed >>> 0 || 1;
  }
  next(): number {
    let t = (this.#s = (this.#s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(a: readonly T[]): T {
    return a[Math.floor(this.next() * a.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  digits(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += String(Math.floor(this.next() * 10));
    return s;
  }
}

export type FacilityLevel = 'central' | 'provincial' | 'district' | 'commune' | 'private';

export interface District {
  code: string;
  name: string;
  communes: { code: string; name: string }[];
}

export interface Facility {
  macskcb: string;
  name: string;
  level: FacilityLevel;
  ownership: 'public' | 'private';
  province: string;
  district: string;
  commune: string;
  bhytContract: boolean;
}

export interface Practitioner {
  licence: string;
  name: string;
  macskcb: string;
  title: string;
}

export interface Citizen {
  personalId: string;
  name: string;
  /** yyyyMMdd */
  birthDate: string;
  gender: '1' | '2';
  bhytCard: string;
  /** MA_DKBD: the facility where the card is registered for primary care. */
  maDkbd: string;
  district: string;
  commune: string;
  address: string;
  phone: string;
}

export interface Province {
  code: string;
  name: string;
  seed: number;
  districts: District[];
  facilities: Facility[];
  practitioners: Practitioner[];
  citizens: Citizen[];
}

export interface ProvinceOptions {
  seed?: number;
  /** Two-digit province code (default '79', Hồ Chí Minh City). */
  code?: string;
  name?: string;
  districts?: number;
  citizens?: number;
}

const PROVINCE_NAMES: Record<string, string> = { '79': 'Thành phố Hồ Chí Minh', '01': 'Thành phố Hà Nội', '48': 'Thành phố Đà Nẵng', '31': 'Thành phố Hải Phòng', '92': 'Thành phố Cần Thơ' };

function personName(r: Rng, gender: '1' | '2'): string {
  return `${r.pick(FAMILY)} ${gender === '1' ? r.pick(MIDDLE.m) : r.pick(MIDDLE.f)} ${gender === '1' ? r.pick(GIVEN_M) : r.pick(GIVEN_F)}`;
}

/** A well-formed 12-digit personal ID: province of birth (3), century+gender (1), year (2), 6 random. */
export function personalIdFor(r: Rng, provinceCode: string, birthYear: number, gender: '1' | '2'): string {
  const century = birthYear >= 2000 ? 2 : 0;
  const g = century + (gender === '2' ? 1 : 0);
  return `0${provinceCode.padStart(2, '0')}${g}${String(birthYear % 100).padStart(2, '0')}${r.digits(6)}`;
}

/** A 15-character BHYT card: group (2 letters) + benefit level (1) + province (2) + 10 digits. */
export function bhytCardFor(r: Rng, provinceCode: string, age: number): string {
  const group = age < 6 ? 'TE' : age >= 60 ? r.pick(['HT', 'CK', 'GD'] as const) : r.pick(GROUPS);
  const level = group === 'TE' || group === 'CK' ? '1' : group === 'HT' ? '3' : r.pick(['2', '3', '4', '4', '4']);
  return `${group}${level}${provinceCode}${r.digits(10)}`;
}

/** Generate a province: districts, facilities of each level, practitioners, citizens. */
export function generateProvince(o: ProvinceOptions = {}): Province {
  const seed = o.seed ?? 1;
  const code = o.code ?? '79';
  const r = new Rng(seed * 7919 + Number(code));
  const nd = Math.max(1, Math.min(o.districts ?? 4, DISTRICT_NAMES.length));
  const districts: District[] = [];
  for (let i = 0; i < nd; i++) {
    const dcode = String(760 + i).padStart(3, '0');
    const communes = Array.from({ length: 3 }, (_, j) => ({ code: String(26700 + i * 10 + j).padStart(5, '0'), name: `${r.pick(COMMUNE_PREFIX)} ${j + 1}` }));
    districts.push({ code: dcode, name: DISTRICT_NAMES[i], communes });
  }
  const provName = o.name ?? PROVINCE_NAMES[code] ?? `Tỉnh ${code}`;
  const facilities: Facility[] = [];
  let n = 1;
  const add = (level: FacilityLevel, name: string, d: District, c: { code: string }) => {
    facilities.push({ macskcb: `${code}${String(n++).padStart(3, '0')}`, name, level, ownership: level === 'private' ? 'private' : 'public', province: code, district: d.code, commune: c.code, bhytContract: level !== 'private' || r.chance(0.6) });
  };
  add('central', `Bệnh viện Trung ương ${provName.replace(/^(Thành phố|Tỉnh) /, '')}`, districts[0], districts[0].communes[0]);
  add('provincial', `Bệnh viện Đa khoa ${provName.replace(/^(Thành phố|Tỉnh) /, '')}`, districts[0], districts[0].communes[1]);
  add('provincial', `Bệnh viện Sản Nhi ${provName.replace(/^(Thành phố|Tỉnh) /, '')}`, districts[0], districts[0].communes[2]);
  for (const d of districts) add('district', `Trung tâm Y tế ${d.name}`, d, d.communes[0]);
  for (const d of districts) for (const c of d.communes) add('commune', `Trạm Y tế ${c.name}, ${d.name}`, d, c);
  for (let i = 0; i < Math.max(2, nd); i++) {
    const d = districts[i % nd];
    add('private', `Phòng khám Đa khoa ${r.pick(['An Khang', 'Hòa Bình', 'Tâm Đức', 'Phúc An', 'Minh Châu', 'Sài Gòn', 'Thiện Tâm'])} ${i + 1}`, d, d.communes[1 % d.communes.length]);
  }
  const practitioners: Practitioner[] = [];
  for (const f of facilities) {
    const k = f.level === 'commune' ? 2 : f.level === 'private' ? 2 : f.level === 'district' ? 4 : 6;
    for (let i = 0; i < k; i++) {
      const g = r.chance(0.5) ? '1' : '2';
      practitioners.push({ licence: `${String(practitioners.length + 1).padStart(6, '0')}/${code}-CCHN`, name: personName(r, g), macskcb: f.macskcb, title: i === 0 ? 'Bác sĩ chuyên khoa I' : r.pick(['Bác sĩ', 'Bác sĩ chuyên khoa II', 'Thạc sĩ, Bác sĩ', 'Y sĩ']) });
    }
  }
  const primary = facilities.filter((f) => f.level === 'commune' || f.level === 'district');
  const citizens: Citizen[] = [];
  const nc = o.citizens ?? 200;
  const seen = new Set<string>();
  for (let i = 0; i < nc; i++) {
    const gender: '1' | '2' = r.chance(0.5) ? '1' : '2';
    const year = r.int(1940, 2025);
    const birthDate = `${year}${String(r.int(1, 12)).padStart(2, '0')}${String(r.int(1, 28)).padStart(2, '0')}`;
    let pid = personalIdFor(r, code, year, gender);
    while (seen.has(pid)) pid = personalIdFor(r, code, year, gender);
    seen.add(pid);
    const d = r.pick(districts);
    const c = r.pick(d.communes);
    const home = primary.find((f) => f.commune === c.code) ?? r.pick(primary);
    citizens.push({
      personalId: pid,
      name: personName(r, gender),
      birthDate,
      gender,
      bhytCard: bhytCardFor(r, code, 2026 - year),
      maDkbd: home.macskcb,
      district: d.code,
      commune: c.code,
      address: `${r.int(1, 399)} đường ${r.pick(['Lê Lợi', 'Nguyễn Huệ', 'Trần Hưng Đạo', 'Hai Bà Trưng', 'Lý Thường Kiệt', 'Phan Chu Trinh'])}, ${c.name}, ${d.name}, ${provName}`,
      phone: `09${r.digits(8)}`,
    });
  }
  return { code, name: provName, seed, districts, facilities, practitioners, citizens };
}

export const ENCOUNTER_KINDS = ['outpatient', 'lab', 'imaging', 'reexam', 'inpatient', 'day', 'birth', 'transfer'] as const;
export type EncounterKind = (typeof ENCOUNTER_KINDS)[number];

export interface Encounter {
  kind: EncounterKind;
  maLk: string;
  macskcb: string;
  personalId: string;
  dossier: Dossier;
  /** The check-in row (XML0) sent at reception. */
  checkin: Row;
  /** Visit end (NGAY_RA) as a Date. */
  end: Date;
}

/** yyyyMMddHHmm / yyyyMMdd in Asia/Ho_Chi_Minh (UTC+7). */
export function vnDateTime(d: Date): string {
  const t = new Date(d.getTime() + 7 * 3600_000);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${t.getUTCFullYear()}${p(t.getUTCMonth() + 1)}${p(t.getUTCDate())}${p(t.getUTCHours())}${p(t.getUTCMinutes())}`;
}
export const vnDate = (d: Date): string => vnDateTime(d).slice(0, 8);

function blank(code: TableCode): Row {
  const row: Row = {};
  for (const f of fieldsOf(code)) row[f.name] = '';
  return row;
}

function daySpan(a: Date, b: Date): number {
  const da = Date.UTC(+vnDate(a).slice(0, 4), +vnDate(a).slice(4, 6) - 1, +vnDate(a).slice(6, 8));
  const db = Date.UTC(+vnDate(b).slice(0, 4), +vnDate(b).slice(4, 6) - 1, +vnDate(b).slice(6, 8));
  return Math.round((db - da) / 86_400_000) + 1;
}

interface Money {
  bv: number;
  bh: number;
  bhtt: number;
  bncct: number;
  bntt: number;
}

function money(amount: number, mucHuong: number): Money {
  const bh = amount;
  const bhtt = Math.round((bh * mucHuong) / 100);
  return { bv: amount, bh, bhtt, bncct: bh - bhtt, bntt: 0 };
}

const MUC_HUONG: Record<string, number> = { '1': 100, '2': 100, '3': 95, '4': 80, '5': 100 };

export interface EncounterOptions {
  kind?: EncounterKind;
  facility?: Facility;
  citizen?: Citizen;
  /** Visit end; default: now. */
  end?: Date;
  /** A unique suffix for MA_LK (default: a counter of this generator). */
  serial?: number;
}

/**
 * A stream of encounters in a province, deterministic from the seed. `next()` gives one
 * encounter (dossier + check-in row); kinds rotate through every kind unless one is asked for.
 */
export class EncounterGenerator {
  readonly province: Province;
  readonly r: Rng;
  #n = 0;
  constructor(province: Province, seed = province.seed) {
    this.province = province;
    this.r = new Rng(seed * 104729 + 17);
  }

  facilityFor(kind: EncounterKind): Facility {
    const fs = this.province.facilities;
    const r = this.r;
    if (kind === 'birth') return r.pick(fs.filter((f) => f.level === 'provincial' || f.level === 'district'));
    if (kind === 'inpatient' || kind === 'day') return r.pick(fs.filter((f) => f.level !== 'commune' && f.level !== 'private'));
    if (kind === 'transfer') return r.pick(fs.filter((f) => f.level === 'district' || f.level === 'commune'));
    if (kind === 'imaging') return r.pick(fs.filter((f) => f.level !== 'commune'));
    return r.pick(fs);
  }

  next(o: EncounterOptions = {}): Encounter {
    const r = this.r;
    const serial = o.serial ?? ++this.#n;
    let kind = o.kind ?? ENCOUNTER_KINDS[serial % ENCOUNTER_KINDS.length];
    const fac = o.facility ?? this.facilityFor(kind);
    if (o.facility && !o.kind) {
      // Keep kinds a facility of this level can provide.
      if (fac.level === 'commune' && ['inpatient', 'day', 'birth', 'imaging'].includes(kind)) kind = 'outpatient';
      if (fac.level === 'private' && ['inpatient', 'birth', 'transfer', 'day'].includes(kind)) kind = 'lab';
      if (fac.level === 'central' && kind === 'transfer') kind = 'reexam';
    }
    const pool = this.province.citizens;
    let cit = o.citizen ?? r.pick(pool);
    if (kind === 'birth' && !o.citizen) {
      const mothers = pool.filter((c) => c.gender === '2' && +c.birthDate.slice(0, 4) >= 1982 && +c.birthDate.slice(0, 4) <= 2004);
      if (mothers.length) cit = r.pick(mothers);
    }
    const end = o.end ?? new Date();
    const inpatient = kind === 'inpatient' || kind === 'birth' || (kind === 'transfer' && fac.level === 'district');
    const days = inpatient ? r.int(2, 7) : 0;
    const start = inpatient ? new Date(end.getTime() - (days - 1) * 86_400_000 - r.int(1, 8) * 3600_000) : kind === 'day' ? new Date(end.getTime() - r.int(4, 9) * 3600_000) : new Date(end.getTime() - r.int(30, 180) * 60_000);
    const maLk = `${fac.macskcb}${vnDate(end)}${String(serial).padStart(8, '0')}`;
    const doctors = this.province.practitioners.filter((p) => p.macskcb === fac.macskcb);
    const doctor = doctors.length ? r.pick(doctors) : this.province.practitioners[0];
    const level = cit.bhytCard[2];
    const muc = MUC_HUONG[level] ?? 80;
    const vao = vnDateTime(start);
    const ra = vnDateTime(end);
    const yl = vnDateTime(new Date(start.getTime() + 15 * 60_000));
    const khoa = inpatient ? r.pick(['K01', 'K02', 'K03', 'K19']) : 'K01';
    const icd = kind === 'birth' ? ICD10.find((x) => x.code === 'O80')! : r.pick(ICD10.filter((x) => !x.code.startsWith('O')));
    const extra = r.chance(0.4) ? r.pick(ICD10.filter((x) => x.code !== icd.code && !x.code.startsWith('O'))) : null;

    const x2: Row[] = [];
    const x3: Row[] = [];
    const x4: Row[] = [];
    const detail = { bv: 0, bh: 0, bhtt: 0, bncct: 0, bntt: 0, thuoc: 0, vtyt: 0 };
    const addMoney = (m: Money) => {
      detail.bv += m.bv;
      detail.bh += m.bh;
      detail.bhtt += m.bhtt;
      detail.bncct += m.bncct;
      detail.bntt += m.bntt;
    };
    const addService = (it: CatalogueItem, qty: number, opts: { nhom: string; result?: boolean; performer?: boolean; supply?: boolean } = { nhom: it.group }) => {
      const row = blank('XML3');
      const m = money(qty * it.price, muc);
      Object.assign(row, {
        MA_LK: maLk,
        STT: String(x3.length + 1),
        MA_NHOM: opts.nhom,
        DON_VI_TINH: it.unit,
        PHAM_VI: '1',
        SO_LUONG: String(qty),
        DON_GIA_BV: String(it.price),
        DON_GIA_BH: String(it.price),
        TYLE_TT_DV: '100',
        TYLE_TT_BH: '100',
        THANH_TIEN_BV: String(m.bv),
        THANH_TIEN_BH: String(m.bh),
        MUC_HUONG: String(muc),
        T_NGUONKHAC_NSNN: '0',
        T_NGUONKHAC_VTNN: '0',
        T_NGUONKHAC_VTTN: '0',
        T_NGUONKHAC_CL: '0',
        T_NGUONKHAC: '0',
        T_BNTT: String(m.bntt),
        T_BNCCT: String(m.bncct),
        T_BHTT: String(m.bhtt),
        MA_KHOA: khoa,
        MA_BAC_SI: doctor.licence,
        MA_BENH: icd.code,
        NGAY_YL: yl,
        MA_PTTT: '1',
      });
      if (opts.supply) {
        Object.assign(row, { MA_VAT_TU: it.code, TEN_VAT_TU: it.name, TT_THAU: `G1;N1;${vnDate(end).slice(0, 4)}`, MA_DICH_VU: '' });
        detail.vtyt += m.bv;
      } else {
        Object.assign(row, { MA_DICH_VU: it.code, TEN_DICH_VU: it.name });
      }
      if (['1', '2', '3', '8', '18'].includes(opts.nhom)) {
        row.NGUOI_THUC_HIEN = doctor.licence;
        row.NGAY_TH_YL = vnDateTime(new Date(start.getTime() + 30 * 60_000));
        row.NGAY_KQ = vnDateTime(new Date(start.getTime() + 90 * 60_000 > end.getTime() ? end.getTime() : start.getTime() + 90 * 60_000));
      }
      addMoney(m);
      x3.push(row);
      return row;
    };
    const exam = SERVICES.find((s) => s.group === '13')!;
    addService(exam, 1, { nhom: '13' });
    if (kind === 'lab' || inpatient || kind === 'transfer' || (kind === 'reexam' && r.chance(0.5))) {
      const tests = [r.pick(LAB_TESTS), r.pick(LAB_TESTS)].filter((t, i, a) => a.indexOf(t) === i);
      for (const t of tests) {
        addService(t, 1, { nhom: '1' });
        for (const ind of t.indicators ?? []) {
          const row = blank('XML4');
          const v = (ind.low + r.next() * (ind.high - ind.low) * 1.3).toFixed(ind.decimals);
          Object.assign(row, { MA_LK: maLk, STT: String(x4.length + 1), MA_DICH_VU: t.code, MA_CHI_SO: ind.code, TEN_CHI_SO: ind.name, GIA_TRI: v, DON_VI_DO: ind.unit, KET_LUAN: Number(v) > ind.high ? 'Cao hơn bình thường' : 'Trong giới hạn bình thường', NGAY_KQ: vnDateTime(new Date(Math.min(end.getTime(), start.getTime() + 90 * 60_000))), MA_BS_DOC_KQ: doctor.licence });
          x4.push(row);
        }
      }
    }
    if (kind === 'imaging' || (inpatient && r.chance(0.5))) {
      const im = r.pick(IMAGING);
      addService(im, 1, { nhom: '2' });
      const row = blank('XML4');
      Object.assign(row, { MA_LK: maLk, STT: String(x4.length + 1), MA_DICH_VU: im.code, TEN_CHI_SO: im.name, MO_TA: im.finding ?? 'Không thấy bất thường', KET_LUAN: im.conclusion ?? 'Bình thường', NGAY_KQ: vnDateTime(new Date(Math.min(end.getTime(), start.getTime() + 60 * 60_000))), MA_BS_DOC_KQ: doctor.licence });
      x4.push(row);
    }
    if (inpatient) addService(SERVICES.find((s) => s.group === '15')!, days, { nhom: '15' });
    if (kind === 'day') addService(SERVICES.find((s) => s.group === '14')!, 1, { nhom: '14' });
    if (kind === 'birth') addService(SERVICES.find((s) => s.code.startsWith('13.'))!, 1, { nhom: '18' });
    if (inpatient && r.chance(0.7)) addService(r.pick(SUPPLIES), r.int(1, 3), { nhom: '10', supply: true });

    const nDrugs = kind === 'imaging' ? 0 : r.int(1, 4);
    const drugs = new Set<CatalogueItem>();
    for (let i = 0; i < nDrugs; i++) drugs.add(r.pick(DRUGS));
    for (const dr of drugs) {
      const qty = inpatient ? r.int(5, 30) : r.int(6, 30);
      const m = money(qty * dr.price, muc);
      const row = blank('XML2');
      Object.assign(row, {
        MA_LK: maLk,
        STT: String(x2.length + 1),
        MA_THUOC: dr.code,
        MA_NHOM: '4',
        TEN_THUOC: dr.name,
        DON_VI_TINH: dr.unit,
        HAM_LUONG: dr.strength ?? '',
        DUONG_DUNG: dr.route ?? '1.01',
        DANG_BAO_CHE: dr.form ?? '',
        LIEU_DUNG: `${r.pick(['1', '2'])} ${dr.unit.toLowerCase()}/lần x ${r.pick(['2', '3'])} lần/ngày`,
        CACH_DUNG: r.pick(['Uống sau ăn', 'Uống trước ăn 30 phút', 'Uống sáng, chiều']),
        SO_DANG_KY: dr.registration ?? '',
        TT_THAU: `G1;N1;${vnDate(end).slice(0, 4)}`,
        PHAM_VI: '1',
        TYLE_TT_BH: '100',
        SO_LUONG: String(qty),
        DON_GIA: String(dr.price),
        THANH_TIEN_BV: String(m.bv),
        THANH_TIEN_BH: String(m.bh),
        T_NGUONKHAC_NSNN: '0',
        T_NGUONKHAC_VTNN: '0',
        T_NGUONKHAC_VTTN: '0',
        T_NGUONKHAC_CL: '0',
        T_NGUONKHAC: '0',
        MUC_HUONG: String(muc),
        T_BNTT: String(m.bntt),
        T_BNCCT: String(m.bncct),
        T_BHTT: String(m.bhtt),
        MA_KHOA: khoa,
        MA_BAC_SI: doctor.licence,
        NGAY_YL: yl,
        MA_PTTT: '1',
        NGUON_CTRA: '1',
      });
      detail.thuoc += m.bv;
      addMoney(m);
      x2.push(row);
    }

    const maLoaiKcb = kind === 'birth' || kind === 'inpatient' || (kind === 'transfer' && inpatient) ? '03' : kind === 'day' ? '04' : '01';
    const transfer = kind === 'transfer';
    const higher = this.province.facilities.filter((f) => f.level === 'provincial' || f.level === 'central');
    const dest = transfer ? r.pick(higher) : null;
    const x1 = blank('XML1');
    const dname = this.province.districts.find((d) => d.code === cit.district);
    Object.assign(x1, {
      MA_LK: maLk,
      STT: '1',
      MA_BN: `BN${cit.personalId.slice(-8)}`,
      HO_TEN: cit.name,
      SO_CCCD: cit.personalId,
      NGAY_SINH: `${cit.birthDate}0000`,
      GIOI_TINH: cit.gender,
      MA_QUOCTICH: '000',
      MA_DANTOC: '01',
      MA_NGHE_NGHIEP: '00000',
      DIA_CHI: cit.address,
      MATINH_CU_TRU: this.province.code,
      MAHUYEN_CU_TRU: dname?.code ?? '760',
      MAXA_CU_TRU: cit.commune,
      DIEN_THOAI: cit.phone,
      MA_THE_BHYT: cit.bhytCard,
      MA_DKBD: cit.maDkbd,
      GT_THE_TU: `${vnDate(end).slice(0, 4)}0101`,
      GT_THE_DEN: `${vnDate(end).slice(0, 4)}1231`,
      LY_DO_VV: kind === 'birth' ? 'Chuyển dạ' : kind === 'reexam' ? 'Khám lại theo hẹn' : r.pick(['Sốt, ho', 'Đau bụng', 'Mệt mỏi, chóng mặt', 'Đau đầu', 'Khó thở', 'Khám sức khỏe theo yêu cầu']),
      LY_DO_VNT: inpatient ? 'Cần theo dõi và điều trị nội trú' : '',
      CHAN_DOAN_VAO: icd.name,
      CHAN_DOAN_RV: extra ? `${icd.name}; ${extra.name}` : icd.name,
      MA_BENH_CHINH: icd.code,
      MA_BENH_KT: extra ? extra.code : '',
      MA_DOITUONG_KCB: cit.maDkbd === fac.macskcb ? '1.1' : '1.2',
      MA_NOI_DEN: dest ? dest.macskcb : '',
      NGAY_VAO: vao,
      NGAY_VAO_NOI_TRU: inpatient ? vnDateTime(new Date(start.getTime() + 30 * 60_000)) : '',
      NGAY_RA: ra,
      GIAY_CHUYEN_TUYEN: transfer ? `CT${maLk.slice(-10)}` : '',
      SO_NGAY_DTRI: maLoaiKcb === '01' ? '0' : String(daySpan(start, end)),
      PP_DIEU_TRI: inpatient ? 'Điều trị nội khoa' : 'Điều trị ngoại trú, kê đơn',
      KET_QUA_DTRI: transfer ? '3' : r.pick(['1', '2', '2']),
      MA_LOAI_RV: transfer ? '2' : '1',
      NGAY_TTOAN: ra,
      T_THUOC: String(detail.thuoc),
      T_VTYT: String(detail.vtyt),
      T_TONGCHI_BV: String(detail.bv),
      T_TONGCHI_BH: String(detail.bh),
      T_BNTT: String(detail.bntt),
      T_BNCCT: String(detail.bncct),
      T_BHTT: String(detail.bhtt),
      T_NGUONKHAC: '0',
      T_BHTT_GDV: '0',
      NAM_QT: vnDate(end).slice(0, 4),
      THANG_QT: String(Number(vnDate(end).slice(4, 6))),
      MA_LOAI_KCB: maLoaiKcb,
      MA_KHOA: khoa,
      MA_CSKCB: fac.macskcb,
      CAN_NANG: kind === 'birth' ? '62' : String(r.int(40, 80)),
      CAN_NANG_CON: '',
      MA_HSBA: `HS${maLk.slice(-10)}`,
      MA_TTDV: doctor.licence.slice(0, 10),
    });
    const tables: Dossier['tables'] = { XML1: [x1] };
    if (x2.length) tables.XML2 = x2;
    tables.XML3 = x3;
    if (x4.length) tables.XML4 = x4;

    if (kind === 'birth') {
      const babyGender = r.chance(0.5) ? '1' : '2';
      const weight = r.int(2600, 3900);
      x1.CAN_NANG_CON = String(weight);
      const x9 = blank('XML9');
      const born = new Date(start.getTime() + 4 * 3600_000);
      Object.assign(x9, {
        MA_LK: maLk,
        MA_THE_NND: cit.bhytCard,
        HO_TEN_NND: cit.name,
        NGAYSINH_NND: cit.birthDate,
        MA_DANTOC_NND: '01',
        SO_CCCD_NND: cit.personalId,
        NGAYCAP_CCCD_NND: '20210615',
        NOICAP_CCCD_NND: 'Cục Cảnh sát quản lý hành chính về trật tự xã hội',
        NOI_CU_TRU_NND: cit.address,
        MA_QUOCTICH: '000',
        MATINH_CU_TRU: this.province.code,
        MAHUYEN_CU_TRU: dname?.code ?? '760',
        MAXA_CU_TRU: cit.commune,
        HO_TEN_CHA: personName(r, '1'),
        MA_THE_TAM: `TE1${this.province.code}${r.digits(10)}`,
        HO_TEN_CON: '',
        GIOI_TINH_CON: babyGender,
        SO_CON: '1',
        LAN_SINH: String(r.int(1, 3)),
        SO_CON_SONG: '1',
        CAN_NANG_CON: String(weight),
        NGAY_SINH_CON: vnDateTime(born),
        NOI_SINH_CON: fac.name,
        TINH_TRANG_CON: 'Khỏe mạnh',
        SINHCON_PHAUTHUAT: '0',
        SINHCON_DUOI32TUAN: '0',
        GHI_CHU: 'Không',
        NGUOI_DO_DE: doctor.name,
        NGUOI_GHI_PHIEU: doctor.name,
        NGAY_CT: vnDate(end),
        SO: String(serial),
        QUYEN_SO: `${vnDate(end).slice(0, 4)}/01`,
        MA_TTDV: doctor.licence.slice(0, 10),
      });
      tables.XML9 = [x9];
    }
    if (transfer && dest) {
      const x13 = blank('XML13');
      Object.assign(x13, {
        MA_LK: maLk,
        SO_HOSO: x1.MA_HSBA,
        SO_CHUYENTUYEN: `${String(serial).padStart(6, '0')}/CT`,
        GIAY_CHUYEN_TUYEN: x1.GIAY_CHUYEN_TUYEN,
        MA_CSKCB: fac.macskcb,
        MA_CSKCB_DI: fac.macskcb,
        MA_CSKCB_DEN: dest.macskcb,
        HO_TEN: cit.name,
        NGAY_SINH: x1.NGAY_SINH,
        GIOI_TINH: cit.gender,
        MA_QUOCTICH: '000',
        MA_DANTOC: '01',
        MA_NGHE_NGHIEP: '00000',
        DIA_CHI: cit.address,
        MA_THE_BHYT: cit.bhytCard,
        GT_THE_DEN: x1.GT_THE_DEN,
        NGAY_VAO: vao,
        NGAY_VAO_NOI_TRU: x1.NGAY_VAO_NOI_TRU,
        NGAY_RA: ra,
        DAU_HIEU_LS: 'Tình trạng không cải thiện sau điều trị',
        CHAN_DOAN_RV: x1.CHAN_DOAN_RV,
        QT_BENHLY: 'Đã điều trị theo phác đồ, đáp ứng kém',
        TOMTAT_KQ: x4.length ? 'Xét nghiệm có chỉ số bất thường' : 'Chưa có kết quả cận lâm sàng',
        PP_DIEUTRI: x1.PP_DIEU_TRI,
        MA_BENH_CHINH: icd.code,
        MA_BENH_KT: x1.MA_BENH_KT,
        TINH_TRANG_CT: 'Người bệnh tỉnh, sinh hiệu ổn định',
        MA_LOAI_RV: '2',
        MA_LYDO_CT: '2',
        HUONG_DIEU_TRI: `Chuyển ${dest.name} tiếp tục điều trị`,
        PHUONGTIEN_VC: 'Xe cứu thương',
        HOTEN_NGUOI_HT: doctor.name,
        CHUCDANH_NGUOI_HT: doctor.title,
        MA_BAC_SI: doctor.licence,
        MA_TTDV: doctor.licence.slice(0, 10),
      });
      tables.XML13 = [x13];
    }
    if (kind === 'reexam' || (kind === 'inpatient' && r.chance(0.5))) {
      const hen = new Date(end.getTime() + r.int(7, 30) * 86_400_000);
      x1.NGAY_TAI_KHAM = vnDate(hen);
      const x14 = blank('XML14');
      Object.assign(x14, {
        MA_LK: maLk,
        SO_GIAYHEN_KL: `${String(serial).padStart(6, '0')}/HK`,
        MA_CSKCB: fac.macskcb,
        HO_TEN: cit.name,
        NGAY_SINH: x1.NGAY_SINH,
        GIOI_TINH: cit.gender,
        DIA_CHI: cit.address,
        MA_THE_BHYT: cit.bhytCard,
        GT_THE_DEN: x1.GT_THE_DEN,
        NGAY_VAO: vao,
        NGAY_VAO_NOI_TRU: x1.NGAY_VAO_NOI_TRU,
        NGAY_RA: ra,
        NGAY_HEN_KL: vnDate(hen),
        CHAN_DOAN_RV: x1.CHAN_DOAN_RV,
        MA_BENH_CHINH: icd.code,
        MA_BENH_KT: x1.MA_BENH_KT,
        MA_DOITUONG_KCB: x1.MA_DOITUONG_KCB,
        MA_BAC_SI: doctor.licence,
        MA_TTDV: doctor.licence.slice(0, 10),
        NGAY_CT: vnDate(end),
      });
      tables.XML14 = [x14];
    }
    const checkin = blank('XML0');
    Object.assign(checkin, {
      MA_LK: maLk,
      STT: '1',
      MA_BN: x1.MA_BN,
      HO_TEN: cit.name,
      SO_CCCD: cit.personalId,
      NGAY_SINH: x1.NGAY_SINH,
      GIOI_TINH: cit.gender,
      MA_THE_BHYT: cit.bhytCard,
      MA_DKBD: cit.maDkbd,
      GT_THE_TU: x1.GT_THE_TU,
      GT_THE_DEN: x1.GT_THE_DEN,
      MA_DOITUONG_KCB: x1.MA_DOITUONG_KCB,
      NGAY_VAO: vao,
      MA_LOAI_KCB: maLoaiKcb,
      MA_CSKCB: fac.macskcb,
      MA_DICH_VU: exam.code,
      TEN_DICH_VU: exam.name,
      NGAY_YL: vao,
    });
    return { kind, maLk, macskcb: fac.macskcb, personalId: cit.personalId, dossier: { tables }, checkin, end };
  }
}

/** Group encounters into packages of one facility (at most `perPackage` dossiers each). */
export function toPackages(encounters: Encounter[], perPackage = 1): Package[] {
  const by = new Map<string, Encounter[]>();
  for (const e of encounters) by.set(e.macskcb, [...(by.get(e.macskcb) ?? []), e]);
  const out: Package[] = [];
  for (const [macskcb, list] of by) {
    for (let i = 0; i < list.length; i += perPackage) {
      const part = list.slice(i, i + perPackage);
      out.push({ macskcb, ngayLap: vnDate(part[part.length - 1].end), dossiers: part.map((e) => e.dossier) });
    }
  }
  return out;
}

function csvCell(v: string | boolean | number): string {
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Facilities as CSV in the registry's import columns (src/registry importCsv 'facility'). */
export function facilitiesCsv(p: Province): string {
  const rows = [['macskcb', 'name', 'level', 'province', 'district', 'commune', 'ownership', 'bhyt_contract'].join(',')];
  for (const f of p.facilities) rows.push([f.macskcb, f.name, f.level === 'provincial' ? 'province' : f.level, f.province, f.district, f.commune, f.ownership, f.bhytContract].map(csvCell).join(','));
  return rows.join('\n') + '\n';
}

/** Practitioners as CSV in the registry's import columns (src/registry importCsv 'practitioner'). */
export function practitionersCsv(p: Province): string {
  const rows = [['licence', 'name', 'profession', 'macskcb', 'province'].join(',')];
  for (const x of p.practitioners) rows.push([x.licence, x.name, x.title, x.macskcb, p.code].map(csvCell).join(','));
  return rows.join('\n') + '\n';
}
