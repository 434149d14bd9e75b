// Test aid: a generated month of monitoring data (facilities, packages, dossiers, check-ins,
// share feed) inserted directly into the core tables, and the expected numbers computed
// independently from the generated rows.
import { join } from 'node:path';
import type { Queryable } from '../store/index.ts';

export const DIRS = [join(import.meta.dirname, '..', 'registry', 'migrations'), join(import.meta.dirname, 'migrations')];

function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

export interface Gen {
  facilities: { macskcb: string; province: string; district: string; name: string; cert: 'valid' | 'expired' | 'none' }[];
  dossiers: { macskcb: string; maLk: string; version: number; current: boolean; acceptedAt: Date; visitEnd: Date | null; tables: any; signed: boolean }[];
  packages: { macskcb: string; status: 'accepted' | 'rejected' | 'partial'; signed: boolean; receivedAt: Date; codes: string[] }[];
  checkins: { macskcb: string; maLk: string; method: string; receivedAt: Date }[];
  feed: { macskcb: string; acceptedAt: Date; latencyMs: number }[];
}

const at = (day: string, minutes: number) => new Date(Date.parse(`${day}T00:00:00+07:00`) + minutes * 60_000);
const localDay = (d: Date) => new Date(d.getTime() + 7 * 3_600_000).toISOString().slice(0, 10);

/** A month of data for 8 facilities in 3 provinces, plus rows just outside the month. */
export function generate(seed = 7, month = '2026-10'): Gen {
  const r = rng(seed);
  const pick = <T>(a: T[]) => a[Math.floor(r() * a.length)];
  const facilities: Gen['facilities'] = [
    { macskcb: '01001', province: '01', district: '001', name: 'BV Hà Nội 1', cert: 'valid' },
    { macskcb: '01002', province: '01', district: '001', name: 'BV Hà Nội 2', cert: 'valid' },
    { macskcb: '01003', province: '01', district: '002', name: 'TYT Hà Nội 3', cert: 'expired' },
    { macskcb: '01004', province: '01', district: '002', name: 'PK Hà Nội 4 (silent)', cert: 'none' },
    { macskcb: '79001', province: '79', district: '760', name: 'BV TP HCM 1', cert: 'valid' },
    { macskcb: '79002', province: '79', district: '761', name: 'BV TP HCM 2', cert: 'valid' },
    { macskcb: '48001', province: '48', district: '490', name: 'BV Đà Nẵng 1', cert: 'valid' },
    { macskcb: '48002', province: '48', district: '491', name: 'BV Đà Nẵng 2', cert: 'valid' },
  ];
  const senders = facilities.filter((f) => f.macskcb !== '01004');
  const days: string[] = [];
  for (let d = 1; d <= 31; d++) days.push(`${month}-${String(d).padStart(2, '0')}`);
  days.push('2026-09-30', '2026-11-01'); // outside the month
  const dossiers: Gen['dossiers'] = [];
  const packages: Gen['packages'] = [];
  const checkins: Gen['checkins'] = [];
  const feed: Gen['feed'] = [];
  let n = 0;
  for (let i = 0; i < 420; i++) {
    const f = pick(senders);
    const day = pick(days);
    // minutes into the local day, including the first and last minutes (day boundaries in UTC+7)
    const minute = i % 17 === 0 ? 0 : i % 19 === 0 ? 1439 : Math.floor(r() * 1440);
    const acceptedAt = at(day, minute);
    const latency = pick([3, 10, 30, 90, 300, 1000, 1440, 1441, 2000, 5000]);
    const visitEnd = r() < 0.1 ? null : new Date(acceptedAt.getTime() - latency * 60_000);
    const maLk = `LK${++n}`;
    const transfer = r() < 0.2;
    const appt = r() < 0.3;
    const lab = r() < 0.4;
    const x1: any = { MA_LK: maLk, MA_LOAI_RV: transfer ? pick(['2', '5']) : '1', NGAY_TAI_KHAM: appt ? '20261120' : '', KET_QUA_DTRI: r() < 0.05 ? pick(['5', '8']) : '1' };
    const tables: any = { XML1: [x1] };
    if (lab) tables.XML3 = [{ MA_NHOM: pick(['1', '2', '3']) }, { MA_NHOM: '13' }];
    else if (r() < 0.3) tables.XML3 = [{ MA_NHOM: '13' }];
    if (lab && r() < 0.8) tables.XML4 = [{ MA_DICH_VU: 'x' }];
    if (transfer && r() < 0.7) tables.XML13 = [{ SO_CHUYENTUYEN: '1' }];
    if (appt && r() < 0.85) tables.XML14 = [{ SO_GIAYHEN_KL: '1' }];
    if (r() < 0.04) tables.XML9 = r() < 0.5 ? [{ SO: '1' }] : [{ SO: '1' }, { SO: '2' }];
    const signed = r() < 0.9;
    packages.push({ macskcb: f.macskcb, status: 'accepted', signed, receivedAt: acceptedAt, codes: [] });
    dossiers.push({ macskcb: f.macskcb, maLk, version: 1, current: true, acceptedAt, visitEnd, tables, signed });
    if (r() < 0.05) {
      // a replacement some minutes later (possibly the next day) with the missing referral/appointment added
      const prev = dossiers[dossiers.length - 1];
      prev.current = false;
      const t2 = structuredClone(tables);
      if (transfer) t2.XML13 = [{ SO_CHUYENTUYEN: '1' }];
      const acc2 = new Date(acceptedAt.getTime() + pick([5, 600, 1500]) * 60_000);
      packages.push({ macskcb: f.macskcb, status: 'accepted', signed: true, receivedAt: acc2, codes: [] });
      dossiers.push({ macskcb: f.macskcb, maLk, version: 2, current: true, acceptedAt: acc2, visitEnd, tables: t2, signed: true });
    }
    if (r() < 0.7) checkins.push({ macskcb: f.macskcb, maLk, method: pick(['chip_cccd', 'vneid', 'vneid', 'vneid', 'personal_id', 'bhyt_card', 'other']), receivedAt: visitEnd ?? acceptedAt });
    if (r() < 0.6) feed.push({ macskcb: f.macskcb, acceptedAt, latencyMs: pick([1000, 60_000, 86_400_001, 90_000_000]) });
  }
  // check-ins whose dossier never came
  for (let i = 0; i < 40; i++) {
    const f = pick(senders);
    checkins.push({ macskcb: f.macskcb, maLk: `NODOSSIER${i}`, method: pick(['chip_cccd', 'vneid', 'other']), receivedAt: at(pick(days), Math.floor(r() * 1440)) });
  }
  // rejected and partial packages with reasons
  for (let i = 0; i < 60; i++) {
    const f = pick(senders);
    const codes = [...new Set([pick(['STD_FIELD_REQUIRED', 'SIG_CERT_EXPIRED', 'STD_BAD_DATE']), ...(r() < 0.3 ? ['SIG_NOT_SIGNED'] : [])])];
    packages.push({ macskcb: f.macskcb, status: r() < 0.8 ? 'rejected' : 'partial', signed: r() < 0.5, receivedAt: at(pick(days), Math.floor(r() * 1440)), codes });
  }
  return { facilities, dossiers, packages, checkins, feed };
}

export async function load(db: Queryable, g: Gen): Promise<void> {
  for (const f of g.facilities) {
    await db.query(`INSERT INTO facility_account (macskcb, name, province) VALUES ($1, $2, $3)`, [f.macskcb, f.name, f.province]);
    await db.query(`INSERT INTO reg_facility (macskcb, name, province, district, level) VALUES ($1, $2, $3, $4, 'district')`, [f.macskcb, f.name, f.province, f.district]);
    if (f.cert !== 'none') {
      const notAfter = f.cert === 'valid' ? '2030-01-01T00:00:00Z' : '2026-01-01T00:00:00Z';
      await db.query(
        `INSERT INTO facility_certificate (macskcb, fingerprint, subject, issuer, serial, not_before, not_after, der) VALUES ($1, $2, 'CN=x', 'CN=ca', '01', '2024-01-01T00:00:00Z', $3, $4)`,
        [f.macskcb, `fp${f.macskcb}`, notAfter, Buffer.from('00', 'hex')],
      );
    }
  }
  const certId = new Map<string, number>();
  for (const r of (await db.query<{ id: number; macskcb: string }>(`SELECT id, macskcb FROM facility_certificate`)).rows) certId.set(r.macskcb, r.id);
  let k = 0;
  const pkgIds: number[] = [];
  for (const p of g.packages) {
    const receipt = { status: p.status, problems: p.codes.slice(0, 1).map((c) => ({ code: c, severity: 'error' })), dossiers: p.codes.slice(1).map((c) => ({ maLk: 'x', problems: [{ code: c, severity: 'error' }, { code: 'STD_WARN_ONLY', severity: 'warning' }] })) };
    const r = await db.query<{ id: number }>(
      `INSERT INTO package_archive (sha256, macskcb, bytes, size, received_at, status, certificate_id, receipt) VALUES ($1, $2, $3, 1, $4, $5, $6, $7::jsonb) RETURNING id`,
      [`sha${++k}`, p.macskcb, Buffer.from('x'), p.receivedAt, p.status, p.signed ? (certId.get(p.macskcb) ?? null) : null, JSON.stringify(receipt)],
    );
    pkgIds.push(r.rows[0].id);
  }
  // dossiers map onto the accepted packages in order
  const accepted = g.packages.map((p, i) => ({ p, id: pkgIds[i] })).filter((x) => x.p.status === 'accepted');
  const ids = new Map<string, number>();
  for (let i = 0; i < g.dossiers.length; i++) {
    const d = g.dossiers[i];
    const r = await db.query<{ id: number }>(
      `INSERT INTO dossier (package_id, macskcb, ma_lk, version, replaces_id, current, visit_end, accepted_at, tables) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb) RETURNING id`,
      [accepted[i].id, d.macskcb, d.maLk, d.version, d.version > 1 ? ids.get(`${d.macskcb}/${d.maLk}`) : null, d.current, d.visitEnd, d.acceptedAt, JSON.stringify(d.tables)],
    );
    ids.set(`${d.macskcb}/${d.maLk}`, r.rows[0].id);
  }
  for (const c of g.checkins) {
    await db.query(`INSERT INTO checkin (macskcb, ma_lk, id_method, received_at, row) VALUES ($1, $2, $3, $4, '{}'::jsonb)`, [c.macskcb, c.maLk, c.method, c.receivedAt]);
  }
  // the share feed: the health book's tables (created here when the book module is not migrated)
  await db.exec(`CREATE TABLE IF NOT EXISTS book_entry (id bigserial PRIMARY KEY, personal_id text NOT NULL, macskcb text NOT NULL, ma_lk text NOT NULL,
      kind text NOT NULL, source_table text NOT NULL, title text NOT NULL, data jsonb NOT NULL, accepted_at timestamptz NOT NULL);
    CREATE TABLE IF NOT EXISTS book_feed (seq bigserial PRIMARY KEY, entry_id bigint NOT NULL, personal_id text NOT NULL, change text NOT NULL, accepted_at timestamptz NOT NULL, latency_ms integer NOT NULL)`);
  for (const f of g.feed) {
    const e = await db.query<{ id: number }>(
      `INSERT INTO book_entry (personal_id, macskcb, ma_lk, kind, source_table, title, data, accepted_at) VALUES ('001099000001', $1, 'LK', 'visit', 'XML1', 't', '{}'::jsonb, $2) RETURNING id`,
      [f.macskcb, f.acceptedAt],
    );
    await db.query(`INSERT INTO book_feed (entry_id, personal_id, change, accepted_at, latency_ms) VALUES ($1, '001099000001', 'new', $2, $3)`, [e.rows[0].id, f.acceptedAt, f.latencyMs]);
  }
}

/** The expected numbers, computed from the generated rows (not from the database). */
export function expected(g: Gen, from: string, to: string, inArea: (macskcb: string) => boolean, onTimeMinutes = 1440) {
  const inP = (d: Date) => localDay(d) >= from && localDay(d) <= to;
  const ds = g.dossiers.filter((d) => inP(d.acceptedAt) && inArea(d.macskcb));
  const v1 = ds.filter((d) => d.version === 1);
  const cur = ds.filter((d) => d.current);
  const len = (x: any) => (Array.isArray(x) ? x.length : 0);
  const lat = (d: (typeof ds)[number]) => (d.acceptedAt.getTime() - (d.visitEnd as Date).getTime()) / 60_000;
  const timed = v1.filter((d) => d.visitEnd);
  const pk = g.packages.filter((p) => inP(p.receivedAt) && inArea(p.macskcb));
  const ck = g.checkins.filter((c) => inP(c.receivedAt) && inArea(c.macskcb));
  const all = new Set(g.dossiers.map((d) => `${d.macskcb}/${d.maLk}`));
  const feed = g.feed.filter((f) => inP(f.acceptedAt) && inArea(f.macskcb));
  const hasLab = (d: (typeof ds)[number]) => (d.tables.XML3 ?? []).some((x: any) => ['1', '2', '3'].includes(x.MA_NHOM));
  const reasons = new Map<string, number>();
  for (const p of pk) if (p.status !== 'accepted') for (const c of p.codes) reasons.set(c, (reasons.get(c) ?? 0) + 1);
  return {
    dossiers: v1.length,
    replacements: ds.length - v1.length,
    timed: timed.length,
    onTime: timed.filter((d) => lat(d) <= onTimeMinutes).length,
    lat15: timed.filter((d) => lat(d) <= 15).length,
    latMore: timed.filter((d) => lat(d) > 4320).length,
    packages: pk.length,
    signed: pk.filter((p) => p.signed).length,
    rejected: pk.filter((p) => p.status === 'rejected').length,
    referralExpected: cur.filter((d) => ['2', '5'].includes(d.tables.XML1[0].MA_LOAI_RV)).length,
    referralSent: cur.filter((d) => ['2', '5'].includes(d.tables.XML1[0].MA_LOAI_RV) && len(d.tables.XML13) > 0).length,
    apptExpected: cur.filter((d) => d.tables.XML1[0].NGAY_TAI_KHAM).length,
    apptSent: cur.filter((d) => d.tables.XML1[0].NGAY_TAI_KHAM && len(d.tables.XML14) > 0).length,
    labExpected: cur.filter(hasLab).length,
    labSent: cur.filter((d) => hasLab(d) && len(d.tables.XML4) > 0).length,
    births: cur.reduce((a, d) => a + len(d.tables.XML9), 0),
    deaths: cur.filter((d) => ['5', '8'].includes(d.tables.XML1[0].KET_QUA_DTRI)).length,
    checkins: ck.length,
    matched: ck.filter((c) => all.has(`${c.macskcb}/${c.maLk}`)).length,
    cccd: ck.filter((c) => c.method === 'chip_cccd').length,
    vneid: ck.filter((c) => c.method === 'vneid').length,
    shares: feed.length,
    breaches: feed.filter((f) => f.latencyMs > 86_400_000).length,
    reasons,
    sending: new Set([...pk.map((p) => p.macskcb), ...ds.map((d) => d.macskcb)]).size,
  };
}

