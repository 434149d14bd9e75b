// Metrics in the vocabulary of aggregate health reporting: for each indicator, expected,
// received, on time (where it applies) and rate — per facility / district / province / nation,
// per day or month. Everything reads the aggregate tables (mon_day, mon_reason) only.
import type { Queryable } from '../store/index.ts';
import { resolveArea, resolvePeriod, type Area, type AreaLevel, type Period } from './period.ts';
import { getSettings, type Settings } from './settings.ts';

export const COUNTERS = [
  'dossiers', 'replacements', 'timed', 'on_time', 'latency_min_sum', 'lat_15', 'lat_60', 'lat_240', 'lat_1440', 'lat_4320', 'lat_more',
  'packages', 'packages_signed', 'packages_rejected', 'packages_partial', 'referral_expected', 'referral_sent', 'appt_expected', 'appt_sent',
  'lab_expected', 'lab_sent', 'births', 'deaths', 'death_notices', 'checkins', 'checkins_matched', 'checkins_cccd', 'checkins_vneid', 'shares', 'share_breaches',
] as const;
export type Counter = (typeof COUNTERS)[number];
export type Totals = Record<Counter, number>;

export type KpiKey =
  | 'facilities' | 'dossiers' | 'timeliness' | 'signed' | 'rejections' | 'referrals' | 'appointments' | 'labResults'
  | 'births' | 'deaths' | 'checkinCccd' | 'vneid' | 'share24h';

/** One indicator: expected, received, on time (when it applies), rate = received / expected. */
export interface Kpi {
  key: KpiKey;
  vi: string;
  en: string;
  expected: number | null;
  received: number;
  onTime?: number;
  /** received / expected (null when nothing was expected). */
  rate: number | null;
  /** Target rate (e.g. 0.8 for VNeID, 1 for signed packages); `lowerIsBetter` for rejections and breaches. */
  target?: number;
  lowerIsBetter?: boolean;
  met?: boolean;
}

export const KPI_LABELS: Record<KpiKey, { vi: string; en: string }> = {
  facilities: { vi: 'Cơ sở gửi dữ liệu', en: 'Facilities sending data' },
  dossiers: { vi: 'Hồ sơ nhận được / lượt tiếp đón', en: 'Dossiers received / check-ins' },
  timeliness: { vi: 'Hồ sơ gửi đúng hạn', en: 'Dossiers sent on time' },
  signed: { vi: 'Gói hồ sơ có chữ ký số', en: 'Signed packages' },
  rejections: { vi: 'Gói hồ sơ bị từ chối', en: 'Rejected packages' },
  referrals: { vi: 'Giấy chuyển tuyến đã gửi', en: 'Referrals sent' },
  appointments: { vi: 'Giấy hẹn khám lại đã gửi', en: 'Re-examination appointments sent' },
  labResults: { vi: 'Kết quả cận lâm sàng đã gửi', en: 'Lab/imaging results sent' },
  births: { vi: 'Giấy chứng sinh', en: 'Birth certificates' },
  deaths: { vi: 'Báo tử / ca tử vong', en: 'Death notices / deaths' },
  checkinCccd: { vi: 'Tiếp đón bằng CCCD gắn chip', en: 'Check-in by chip CCCD' },
  vneid: { vi: 'Tiếp đón bằng VNeID', en: 'Check-in by VNeID' },
  share24h: { vi: 'Đẩy lên sổ quá 24 giờ', en: 'Published to the book after 24 h' },
};

export const LATENCY_BUCKETS = [
  { key: 'lat_15', vi: '≤ 15 phút', en: '≤ 15 min' },
  { key: 'lat_60', vi: '15–60 phút', en: '15–60 min' },
  { key: 'lat_240', vi: '1–4 giờ', en: '1–4 h' },
  { key: 'lat_1440', vi: '4–24 giờ', en: '4–24 h' },
  { key: 'lat_4320', vi: '1–3 ngày', en: '1–3 days' },
  { key: 'lat_more', vi: '> 3 ngày', en: '> 3 days' },
] as const;

const SUMS = COUNTERS.map((c) => `coalesce(sum(${c}), 0)::bigint AS ${c}`).join(', ');

function areaWhere(a: Area & { level: AreaLevel }, params: unknown[]): string {
  if (a.level === 'facility') return (params.push(a.macskcb), `macskcb = $${params.length}`);
  if (a.level === 'district') return (params.push(a.province, a.district), `province = $${params.length - 1} AND district = $${params.length}`);
  if (a.level === 'province') return (params.push(a.province), `province = $${params.length}`);
  return 'true';
}

/**
 * The cells of a period as a derived table (d, macskcb, province, district, counters): whole
 * months from mon_month, the days at either edge from mon_day. Appends its parameters.
 */
export function cells(p: Period, params: unknown[]): string {
  const first = p.from.endsWith('-01') ? p.from : nextMonth(p.from);
  const lastStart = `${p.to.slice(0, 7)}-01`;
  const last = monthEnd(p.to) === p.to ? lastStart : prevMonth(lastStart);
  const cols = `macskcb, province, district, ${COUNTERS.join(', ')}`;
  if (first > last) {
    params.push(p.from, p.to);
    return `(SELECT day AS d, ${cols} FROM mon_day WHERE day BETWEEN $${params.length - 1}::date AND $${params.length}::date)`;
  }
  params.push(first, last, p.from, dayBefore(first), dayAfter(monthEnd(last)), p.to);
  const n = params.length;
  return `(SELECT month AS d, ${cols} FROM mon_month WHERE month BETWEEN $${n - 5}::date AND $${n - 4}::date
    UNION ALL SELECT day AS d, ${cols} FROM mon_day WHERE day BETWEEN $${n - 3}::date AND $${n - 2}::date
    UNION ALL SELECT day AS d, ${cols} FROM mon_day WHERE day BETWEEN $${n - 1}::date AND $${n}::date)`;
}

function monthEnd(day: string): string {
  const [y, m] = day.split('-').map(Number);
  return `${day.slice(0, 7)}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}`;
}
function nextMonth(day: string): string {
  const [y, m] = day.split('-').map(Number);
  return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
}
function prevMonth(monthStart: string): string {
  const [y, m] = monthStart.split('-').map(Number);
  return m === 1 ? `${y - 1}-12-01` : `${y}-${String(m - 1).padStart(2, '0')}-01`;
}
const shift = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const dayBefore = (d: string) => shift(d, -1);
const dayAfter = (d: string) => shift(d, 1);

function num(row: Record<string, unknown> | undefined): Totals {
  const t = {} as Totals;
  for (const c of COUNTERS) t[c] = Number(row?.[c] ?? 0);
  return t;
}

function ratio(a: number, b: number): number | null {
  return b > 0 ? a / b : null;
}

/** Sum the counters over an area and period. */
export async function totals(db: Queryable, area: Area, period: Period): Promise<Totals> {
  const a = resolveArea(area);
  const p = resolvePeriod(period);
  const params: unknown[] = [];
  const src = cells(p, params);
  const r = await db.query(`SELECT ${SUMS} FROM ${src} m WHERE ${areaWhere(a, params)}`, params);
  return num(r.rows[0]);
}

/** Facilities expected to send (active in the registry or with an active account) and those that sent. */
export async function facilityCoverage(db: Queryable, area: Area, period: Period): Promise<{ expected: number; sending: number }> {
  const a = resolveArea(area);
  const p = resolvePeriod(period);
  const params: unknown[] = [];
  const where = areaWhere(a, params);
  const exp = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM (
       SELECT coalesce(rf.macskcb, fa.macskcb) AS macskcb, coalesce(nullif(rf.province, ''), fa.province, '') AS province, coalesce(rf.district, '') AS district
       FROM reg_facility rf FULL JOIN facility_account fa ON fa.macskcb = rf.macskcb
       WHERE coalesce(rf.status, 'active') = 'active' AND coalesce(fa.status, 'active') = 'active'
     ) f WHERE ${where}`,
    params,
  );
  const params2: unknown[] = [];
  const src = cells(p, params2);
  const sending = await db.query<{ n: number }>(
    `SELECT count(DISTINCT macskcb)::int AS n FROM ${src} m WHERE (packages > 0 OR dossiers > 0) AND ${areaWhere(a, params2)}`,
    params2,
  );
  return { expected: Number(exp.rows[0]?.n ?? 0), sending: Number(sending.rows[0]?.n ?? 0) };
}

/** The indicators of one area and period, from its totals. */
export function kpisOf(t: Totals, s: Settings, coverage?: { expected: number; sending: number }): Kpi[] {
  const k = (key: KpiKey, expected: number | null, received: number, extra: Partial<Kpi> = {}): Kpi => {
    const rate = expected === null ? null : ratio(received, expected);
    const out: Kpi = { key, ...KPI_LABELS[key], expected, received, rate, ...extra };
    if (out.target !== undefined && rate !== null) out.met = out.lowerIsBetter ? rate <= out.target : rate >= out.target;
    return out;
  };
  const list: Kpi[] = [];
  if (coverage) list.push(k('facilities', coverage.expected, coverage.sending, { target: 1 }));
  list.push(
    k('dossiers', t.checkins || null, t.dossiers, { onTime: t.on_time }),
    k('timeliness', t.timed, t.on_time, { onTime: t.on_time, target: s.onTimeTarget }),
    k('signed', t.packages, t.packages_signed, { target: 1 }),
    k('rejections', t.packages, t.packages_rejected, { target: s.rejectionMax, lowerIsBetter: true }),
    k('referrals', t.referral_expected, t.referral_sent, { target: s.completenessTarget }),
    k('appointments', t.appt_expected, t.appt_sent, { target: s.completenessTarget }),
    k('labResults', t.lab_expected, t.lab_sent, { target: s.completenessTarget }),
    k('births', null, t.births),
    k('deaths', t.deaths, t.death_notices),
    k('checkinCccd', t.checkins, t.checkins_cccd),
    k('vneid', t.checkins, t.checkins_vneid, { target: s.vneidTarget }),
    k('share24h', t.shares, t.share_breaches, { onTime: t.shares - t.share_breaches, target: 0, lowerIsBetter: true }),
  );
  return list;
}

export interface SeriesPoint {
  /** YYYY-MM-DD (day) or YYYY-MM (month). */
  period: string;
  dossiers: number;
  checkins: number;
  onTime: number;
  timed: number;
  packages: number;
  signed: number;
  rejected: number;
  cccd: number;
  vneid: number;
  onTimeRate: number | null;
  rejectionRate: number | null;
  vneidRate: number | null;
}

export async function series(db: Queryable, area: Area, period: Period, granularity: 'day' | 'month' = 'day'): Promise<SeriesPoint[]> {
  const a = resolveArea(area);
  const p = resolvePeriod(period);
  let sql: string;
  const params: unknown[] = [];
  if (granularity === 'month') {
    const src = cells(p, params);
    sql = `SELECT to_char(d, 'YYYY-MM') AS period, ${SUMS} FROM ${src} m WHERE ${areaWhere(a, params)} GROUP BY 1 ORDER BY 1`;
  } else {
    // daily: an area reads the day × district roll-up, a facility its own cells
    params.push(p.from, p.to);
    const table = a.level === 'facility' ? 'mon_day' : 'mon_area_day';
    sql = `SELECT to_char(day, 'YYYY-MM-DD') AS period, ${SUMS} FROM ${table} WHERE day BETWEEN $1::date AND $2::date AND ${areaWhere(a, params)} GROUP BY 1 ORDER BY 1`;
  }
  const r = await db.query(sql, params);
  return r.rows.map((row) => {
    const t = num(row);
    return {
      period: String(row.period),
      dossiers: t.dossiers,
      checkins: t.checkins,
      onTime: t.on_time,
      timed: t.timed,
      packages: t.packages,
      signed: t.packages_signed,
      rejected: t.packages_rejected,
      cccd: t.checkins_cccd,
      vneid: t.checkins_vneid,
      onTimeRate: ratio(t.on_time, t.timed),
      rejectionRate: ratio(t.packages_rejected, t.packages),
      vneidRate: ratio(t.checkins_vneid, t.checkins),
    };
  });
}

export interface BreakdownRow {
  /** Child area code: province, district or facility code. */
  code: string;
  name: string;
  level: AreaLevel;
  totals: Totals;
  kpis: Kpi[];
}

/** The child areas of an area (nation → provinces, province → districts, district → facilities). */
export async function breakdown(db: Queryable, area: Area, period: Period, settings?: Settings): Promise<BreakdownRow[]> {
  const a = resolveArea(area);
  const p = resolvePeriod(period);
  const s = settings ?? (await getSettings(db));
  const childCol = a.level === 'nation' ? 'province' : a.level === 'province' ? 'district' : 'macskcb';
  const childLevel: AreaLevel = a.level === 'nation' ? 'province' : a.level === 'province' ? 'district' : 'facility';
  const params: unknown[] = [];
  // provinces and districts read the day × district roll-up for edge days via cells(); facilities need facility rows
  const src = cells(p, params);
  const r = await db.query(`SELECT m.${childCol} AS code, ${SUMS} FROM ${src} m WHERE ${areaWhere(a, params)} GROUP BY 1 ORDER BY 1`, params);
  const names = new Map<string, string>();
  if (childLevel === 'facility' && r.rows.length) {
    const n = await db.query<{ code: string; name: string }>(
      `SELECT coalesce(rf.macskcb, fa.macskcb) AS code, coalesce(rf.name, fa.name) AS name FROM reg_facility rf FULL JOIN facility_account fa ON fa.macskcb = rf.macskcb
       WHERE coalesce(rf.macskcb, fa.macskcb) = ANY($1::text[])`,
      [r.rows.map((x) => x.code)],
    );
    for (const row of n.rows) names.set(row.code, row.name);
  }
  return r.rows.map((row) => {
    const t = num(row);
    return { code: String(row.code), name: names.get(String(row.code)) ?? String(row.code), level: childLevel, totals: t, kpis: kpisOf(t, s) };
  });
}

export async function topReasons(db: Queryable, area: Area, period: Period, limit = 10): Promise<{ code: string; packages: number }[]> {
  const a = resolveArea(area);
  const p = resolvePeriod(period);
  const params: unknown[] = [p.from, p.to];
  const where = areaWhere(a, params);
  params.push(Math.max(1, Math.min(100, limit)));
  const r = await db.query<{ code: string; n: number }>(
    `SELECT code, sum(n)::bigint AS n FROM mon_reason WHERE day BETWEEN $1::date AND $2::date AND ${where} GROUP BY code ORDER BY 2 DESC, 1 LIMIT $${params.length}`,
    params,
  );
  return r.rows.map((x) => ({ code: x.code, packages: Number(x.n) }));
}

/** The latency distribution (minutes from visit end to acceptance), as buckets with counts. */
export function latencyDistribution(t: Totals): { key: string; vi: string; en: string; count: number }[] {
  return LATENCY_BUCKETS.map((b) => ({ ...b, count: t[b.key] }));
}
