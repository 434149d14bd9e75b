// FHIR R4 export of a citizen's book: a document Bundle shaped like the International Patient
// Summary (Composition first; Patient; Encounter; Condition; MedicationStatement; Observation and
// DiagnosticReport; ServiceRequest for referrals; Appointment for re-examinations). Entries with no
// IPS home (discharge papers, certificates, notes) are listed in a narrative section. Read under the
// same access rule as the book and audited as 'export-fhir'.
import { createHash } from 'node:crypto';
import type { Db } from '../store/index.ts';
import type { Actor } from '../access/index.ts';
import { getBook, type Book, type BookEntry } from './book.ts';
import { KIND_LABELS, VISIT_KINDS } from './kinds.ts';
import { vnDate, vnDateTime } from './dates.ts';

export const SYS = {
  personalId: 'https://sosuckhoe.vn/fhir/sid/cccd',
  bhyt: 'https://sosuckhoe.vn/fhir/sid/bhyt',
  facility: 'https://sosuckhoe.vn/fhir/sid/macskcb',
  maLk: 'https://sosuckhoe.vn/fhir/sid/ma-lk',
  visitKind: 'https://sosuckhoe.vn/fhir/CodeSystem/ma-loai-kcb',
  drug: 'https://sosuckhoe.vn/fhir/CodeSystem/ma-thuoc',
  route: 'https://sosuckhoe.vn/fhir/CodeSystem/duong-dung',
  service: 'https://sosuckhoe.vn/fhir/CodeSystem/ma-dich-vu',
  index: 'https://sosuckhoe.vn/fhir/CodeSystem/ma-chi-so',
  practitioner: 'https://sosuckhoe.vn/fhir/sid/cchn',
  icd10: 'http://hl7.org/fhir/sid/icd-10',
  loinc: 'http://loinc.org',
  snomed: 'http://snomed.info/sct',
};

type R = Record<string, any>;

/** Deterministic UUID (v5 layout) from a name. */
function uuid(name: string): string {
  const h = createHash('sha1').update('ssk-fhir:' + name).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const div = (lines: string[]) => ({ status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml">${lines.length ? `<ul>${lines.map((l) => `<li>${esc(l)}</li>`).join('')}</ul>` : '<p>Không có / None</p>'}</div>` });
const s = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
const facilityRef = (code: string) => ({ identifier: { system: SYS.facility, value: code || 'unknown' }, display: code || undefined });
function clean<T>(o: T): T {
  // drop undefined, empty strings and empty arrays/objects (FHIR forbids empty values)
  if (Array.isArray(o)) return o.map(clean).filter((x) => x !== undefined) as T;
  if (o && typeof o === 'object') {
    const out: R = {};
    for (const [k, v] of Object.entries(o as R)) {
      const c = clean(v);
      if (c === undefined || c === '' || (Array.isArray(c) && !c.length) || (c && typeof c === 'object' && !Array.isArray(c) && !Object.keys(c).length)) continue;
      out[k] = c;
    }
    return out as T;
  }
  return o;
}

/** A FHIR `instant` (Appointment.start) from yyyyMMdd[HHmm]. */
function instant(v: string): string | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2}))?$/.exec(v.trim());
  if (!m) return undefined;
  return `${m[1]}-${m[2]}-${m[3]}T${m[4] ?? '08'}:${m[5] ?? '00'}:00+07:00`;
}

export function bookToFhir(book: Book, now = new Date()): R {
  const pid = book.personalId;
  const patientUrl = `urn:uuid:${uuid('patient:' + pid)}`;
  const subject = { reference: patientUrl };
  const entries: { fullUrl: string; resource: R }[] = [];
  const add = (key: string, resource: R) => {
    const fullUrl = `urn:uuid:${uuid(key)}`;
    entries.push({ fullUrl, resource: clean(resource) });
    return fullUrl;
  };
  const p = book.person;
  const admin = book.entries.find((e) => e.kind === 'admin')?.data ?? {};
  const sex = s(p?.sex) || s(admin.GIOI_TINH);
  entries.push({
    fullUrl: patientUrl,
    resource: clean({
      resourceType: 'Patient',
      identifier: [{ system: SYS.personalId, value: pid }, ...(p?.bhytCards ?? []).map((c) => ({ system: SYS.bhyt, value: c }))],
      name: [{ text: s(p?.fullName) || s(admin.HO_TEN) }],
      gender: sex === '1' ? 'male' : sex === '2' ? 'female' : 'unknown',
      birthDate: vnDate(s(p?.birth) || s(admin.NGAY_SINH)),
      address: [{ text: s(admin.DIA_CHI) }],
      telecom: s(admin.DIEN_THOAI) ? [{ system: 'phone', value: s(admin.DIEN_THOAI) }] : [],
    }),
  });
  const encByKey = new Map<string, string>();
  const sections: Record<string, string[]> = { problems: [], meds: [], results: [], encounters: [], plan: [] };
  const narrative: Record<string, string[]> = { problems: [], meds: [], results: [], encounters: [], plan: [], docs: [] };
  const encKey = (e: BookEntry) => `${e.macskcb}|${e.maLk}|${e.version}`;
  for (const e of book.entries.filter((x) => x.kind === 'visit')) {
    const d = e.data;
    const inpatient = ['03', '04', '06', '09'].includes(s(d.MA_LOAI_KCB));
    const url = add('enc:' + encKey(e), {
      resourceType: 'Encounter', status: 'finished',
      identifier: [{ system: `${SYS.maLk}/${e.macskcb}`, value: e.maLk }],
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: inpatient ? 'IMP' : 'AMB', display: inpatient ? 'inpatient encounter' : 'ambulatory' },
      type: [{ coding: [{ system: SYS.visitKind, code: s(d.MA_LOAI_KCB) }], text: VISIT_KINDS[s(d.MA_LOAI_KCB)] }],
      subject, period: { start: vnDateTime(s(d.NGAY_VAO)), end: vnDateTime(s(d.NGAY_RA)) },
      reasonCode: s(d.LY_DO_VV) ? [{ text: s(d.LY_DO_VV) }] : [],
      serviceProvider: facilityRef(s(d.MA_CSKCB) || e.macskcb),
    });
    encByKey.set(encKey(e), url);
    sections.encounters.push(url);
    narrative.encounters.push(`${e.title} (${vnDate(s(d.NGAY_VAO)) ?? ''} → ${vnDate(s(d.NGAY_RA)) ?? ''})`);
  }
  const encRef = (e: BookEntry) => (encByKey.has(encKey(e)) ? { reference: encByKey.get(encKey(e)) } : undefined);
  const labGroups = new Map<string, { refs: string[]; e: BookEntry }>();
  for (const e of book.entries) {
    const d = e.data;
    const when = e.occurredAt ? e.occurredAt.toISOString() : undefined;
    switch (e.kind) {
      case 'diagnosis': {
        const url = add('cond:' + e.id, {
          resourceType: 'Condition',
          clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
          verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'confirmed' }] },
          category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'encounter-diagnosis' }] }],
          code: { coding: [{ system: SYS.icd10, code: s(d.code), display: s(d.icdName) || undefined }], text: s(d.name) || s(d.code) },
          subject, encounter: encRef(e), recordedDate: when,
        });
        sections.problems.push(url);
        narrative.problems.push(e.title);
        break;
      }
      case 'medication': {
        const url = add('med:' + e.id, {
          resourceType: 'MedicationStatement', status: 'completed',
          medicationCodeableConcept: { coding: s(d.MA_THUOC) ? [{ system: SYS.drug, code: s(d.MA_THUOC), display: s(d.TEN_THUOC) }] : [], text: [s(d.TEN_THUOC), s(d.HAM_LUONG)].filter(Boolean).join(' ') || e.title },
          subject, context: encRef(e), effectiveDateTime: vnDateTime(s(d.NGAY_TH_YL) || s(d.NGAY_YL)) ?? when,
          dosage: [{ text: [s(d.LIEU_DUNG), s(d.CACH_DUNG)].filter(Boolean).join('; '), route: s(d.DUONG_DUNG) ? { coding: [{ system: SYS.route, code: s(d.DUONG_DUNG) }] } : undefined }],
        });
        sections.meds.push(url);
        narrative.meds.push(e.title);
        break;
      }
      case 'lab_result': {
        const num = /^-?\d+(\.\d+)?$/.test(s(d.GIA_TRI));
        const url = add('obs:' + e.id, {
          resourceType: 'Observation', status: 'final',
          category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }],
          code: { coding: s(d.MA_CHI_SO) ? [{ system: SYS.index, code: s(d.MA_CHI_SO) }] : [], text: s(d.TEN_CHI_SO) || e.title },
          subject, encounter: encRef(e), effectiveDateTime: vnDateTime(s(d.NGAY_KQ)) ?? when,
          performer: [facilityRef(e.macskcb)],
          valueQuantity: num ? { value: Number(s(d.GIA_TRI)), unit: s(d.DON_VI_DO) || undefined } : undefined,
          valueString: num ? undefined : s(d.GIA_TRI),
          note: s(d.KET_LUAN) || s(d.MO_TA) ? [{ text: [s(d.MO_TA), s(d.KET_LUAN)].filter(Boolean).join(' — ') }] : [],
        });
        sections.results.push(url);
        narrative.results.push(e.title);
        const g = `${encKey(e)}|${s(d.MA_DICH_VU)}`;
        const grp = labGroups.get(g) ?? { refs: [], e };
        grp.refs.push(url);
        labGroups.set(g, grp);
        break;
      }
      case 'imaging_result': {
        const url = add('rep:' + e.id, {
          resourceType: 'DiagnosticReport', status: 'final',
          category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'RAD' }] }],
          code: { coding: s(d.MA_DICH_VU) ? [{ system: SYS.service, code: s(d.MA_DICH_VU) }] : [], text: s(d.TEN_CHI_SO) || e.title },
          subject, encounter: encRef(e), effectiveDateTime: vnDateTime(s(d.NGAY_KQ)) ?? when,
          performer: [facilityRef(e.macskcb)], conclusion: [s(d.MO_TA), s(d.KET_LUAN)].filter(Boolean).join(' — '),
        });
        sections.results.push(url);
        narrative.results.push(e.title);
        break;
      }
      case 'referral': {
        const url = add('ref:' + e.id, {
          resourceType: 'ServiceRequest', status: 'active', intent: 'order',
          identifier: [{ system: `${SYS.facility}/${e.macskcb}/so-chuyen-tuyen`, value: s(d.SO_CHUYENTUYEN) || s(d.GIAY_CHUYEN_TUYEN) }],
          category: [{ coding: [{ system: SYS.snomed, code: '3457005', display: 'Patient referral' }] }],
          code: { text: KIND_LABELS.referral.vi },
          subject, encounter: encRef(e), authoredOn: vnDateTime(s(d.NGAY_RA)) ?? when,
          requester: facilityRef(e.macskcb), performer: [facilityRef(s(d.MA_CSKCB_DEN) || s(d.MA_NOI_DEN))],
          reasonCode: s(d.MA_BENH_CHINH) ? [{ coding: [{ system: SYS.icd10, code: s(d.MA_BENH_CHINH) }], text: s(d.CHAN_DOAN_RV) }] : [],
          note: [s(d.HUONG_DIEU_TRI), s(d.TINH_TRANG_CT)].filter(Boolean).map((text) => ({ text })),
        });
        sections.plan.push(url);
        narrative.plan.push(e.title);
        break;
      }
      case 'appointment': {
        const start = instant(s(d.NGAY_HEN_KL));
        const url = add('apt:' + e.id, {
          resourceType: 'Appointment', status: 'booked',
          identifier: [{ system: `${SYS.facility}/${e.macskcb}/so-giay-hen`, value: s(d.SO_GIAYHEN_KL) }],
          description: e.title, start,
          reasonCode: s(d.MA_BENH_CHINH) ? [{ coding: [{ system: SYS.icd10, code: s(d.MA_BENH_CHINH) }], text: s(d.CHAN_DOAN_RV) }] : [],
          participant: [{ actor: subject, status: 'accepted' }, { actor: facilityRef(e.macskcb), status: 'accepted' }],
        });
        sections.plan.push(url);
        narrative.plan.push(e.title);
        break;
      }
      case 'admin': case 'visit': case 'service':
        break;
      default:
        narrative.docs.push(`${KIND_LABELS[e.kind]?.vi ?? e.kind}: ${e.title}${e.occurredAt ? ` (${e.occurredAt.toISOString().slice(0, 10)})` : ''}`);
    }
  }
  for (const [g, { refs, e }] of labGroups) {
    const url = add('labrep:' + g, {
      resourceType: 'DiagnosticReport', status: 'final',
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'LAB' }] }],
      code: { coding: s(e.data.MA_DICH_VU) ? [{ system: SYS.service, code: s(e.data.MA_DICH_VU) }] : [], text: s(e.data.MA_DICH_VU) || 'Xét nghiệm' },
      subject, encounter: encRef(e), effectiveDateTime: vnDateTime(s(e.data.NGAY_KQ)), result: refs.map((reference) => ({ reference })),
    });
    sections.results.push(url);
  }
  const section = (title: string, loinc: string, key: string, refs: string[] | null) =>
    clean({
      title, code: { coding: [{ system: SYS.loinc, code: loinc }] }, text: div(narrative[key] ?? []),
      entry: (refs ?? []).map((reference) => ({ reference })),
      emptyReason: refs && refs.length ? undefined : { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/list-empty-reason', code: refs ? 'nilknown' : 'unavailable' }] },
    });
  const composition = clean({
    resourceType: 'Composition', status: 'final',
    type: { coding: [{ system: SYS.loinc, code: '60591-5', display: 'Patient summary Document' }] },
    subject, date: now.toISOString(), title: 'Sổ sức khỏe điện tử / Patient Summary',
    author: [{ display: 'sosuckhoe gateway' }], confidentiality: 'R',
    section: [
      section('Bệnh tật, chẩn đoán / Problems', '11450-4', 'problems', sections.problems),
      section('Dị ứng / Allergies and intolerances', '48765-2', 'allergies', null),
      section('Thuốc / Medication summary', '10160-0', 'meds', sections.meds),
      section('Kết quả cận lâm sàng / Results', '30954-2', 'results', sections.results),
      section('Lượt khám chữa bệnh / History of encounters', '46240-8', 'encounters', sections.encounters),
      section('Kế hoạch điều trị / Plan of care', '18776-5', 'plan', sections.plan),
      clean({ title: 'Giấy tờ khác / Other documents', code: { coding: [{ system: SYS.loinc, code: '55108-5' }] }, text: div(narrative.docs) }),
    ],
  });
  return {
    resourceType: 'Bundle',
    identifier: { system: 'https://sosuckhoe.vn/fhir/bundle', value: uuid(`bundle:${pid}:${now.toISOString()}`) },
    type: 'document',
    timestamp: now.toISOString(),
    entry: [{ fullUrl: `urn:uuid:${uuid('composition:' + pid + now.toISOString())}`, resource: composition }, ...entries],
  };
}

/** Export a citizen's book as a FHIR R4 document Bundle (access rule and audit of the book). */
export async function exportFhir(db: Db, actor: Actor, personalId: string, opts: { kinds?: string[]; since?: Date; purpose?: string } = {}): Promise<R> {
  const book = await getBook(db, actor, personalId, { ...opts, action: 'export-fhir', limit: 5000 });
  return bookToFhir(book);
}
