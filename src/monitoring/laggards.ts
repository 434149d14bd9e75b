// Lagging facilities: every expected facility of the area with its totals for the period, and
// each reason it lags (no data, late, rejected, unsigned, incomplete, identity targets, book
// publication breaches, certificate missing/expired/expiring).
import type { Queryable } from '../store/index.ts';
import { resolveArea, resolvePeriod, dayStart, addDays, type Area, type AreaLevel, type Period } from './period.ts';
import { COUNTERS, cells, type Totals } from './metrics.ts';
import { getSettings, type Settings } from './settings.ts';

export type LagCode =
  | 'no_data' | 'late' | 'rejections' | 'unsigned' | 'missing_dossiers' | 'missing_referrals' | 'missing_appointments'
  | 'missing_lab_results' | 'vneid_below_target' | 'share_breaches' | 'no_certificate' | 'certificate_expired' | 'certificate_expiring';

export interface LagReason {
  code: LagCode;
  vi: string;
  en: string;
  /** The measured value (a rate 0..1 or a count) and the threshold it broke. */
  value?: number;
  threshold?: number;
}

export interface Laggard {
  macskcb: string;
  name: string;
  province: string;
  district: string;
  totals: Totals;
  reasons: LagReason[];
}

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

export function lagReasons(t: Totals, s: Settings, cert: { validUntil: Date | null; any: boolean }, at: Date): LagReason[] {
  const out: LagReason[] = [];
  if (t.packages === 0 && t.dossiers === 0) out.push({ code: 'no_data', vi: 'Không gửi dữ liệu trong kỳ', en: 'Sent no data in the period' });
  if (t.timed > 0 && t.on_time / t.timed < s.onTimeTarget) {
    const r = t.on_time / t.timed;
    out.push({ code: 'late', vi: `Gửi đúng hạn ${pct(r)} < ${pct(s.onTimeTarget)}`, en: `On time ${pct(r)} < ${pct(s.onTimeTarget)}`, value: r, threshold: s.onTimeTarget });
  }
  if (t.packages > 0 && t.packages_rejected / t.packages > s.rejectionMax) {
    const r = t.packages_rejected / t.packages;
    out.push({ code: 'rejections', vi: `Tỷ lệ gói bị từ chối ${pct(r)} > ${pct(s.rejectionMax)}`, en: `Rejected ${pct(r)} > ${pct(s.rejectionMax)}`, value: r, threshold: s.rejectionMax });
  }
  if (t.packages > t.packages_signed) {
    const r = t.packages_signed / t.packages;
    out.push({ code: 'unsigned', vi: `Có ${t.packages - t.packages_signed} gói không ký số`, en: `${t.packages - t.packages_signed} packages not signed`, value: r, threshold: 1 });
  }
  const completeness: [LagCode, number, number, string, string][] = [
    ['missing_dossiers', t.checkins_matched, t.checkins, 'Hồ sơ nhận được so với lượt tiếp đón', 'Dossiers received per check-in'],
    ['missing_referrals', t.referral_sent, t.referral_expected, 'Giấy chuyển tuyến đã gửi', 'Referrals sent'],
    ['missing_appointments', t.appt_sent, t.appt_expected, 'Giấy hẹn khám lại đã gửi', 'Appointments sent'],
    ['missing_lab_results', t.lab_sent, t.lab_expected, 'Kết quả cận lâm sàng đã gửi', 'Lab results sent'],
  ];
  for (const [code, got, expected, vi, en] of completeness) {
    if (expected > 0 && got / expected < s.completenessTarget) {
      const r = got / expected;
      out.push({ code, vi: `${vi}: ${got}/${expected} (${pct(r)})`, en: `${en}: ${got}/${expected} (${pct(r)})`, value: r, threshold: s.completenessTarget });
    }
  }
  if (t.checkins > 0 && t.checkins_vneid / t.checkins < s.vneidTarget) {
    const r = t.checkins_vneid / t.checkins;
    out.push({ code: 'vneid_below_target', vi: `Tiếp đón bằng VNeID ${pct(r)} < mục tiêu ${pct(s.vneidTarget)}`, en: `VNeID check-ins ${pct(r)} < target ${pct(s.vneidTarget)}`, value: r, threshold: s.vneidTarget });
  }
  if (t.share_breaches > 0) out.push({ code: 'share_breaches', vi: `${t.share_breaches} mục lên sổ quá 24 giờ`, en: `${t.share_breaches} entries published after 24 h`, value: t.share_breaches, threshold: 0 });
  if (!cert.any) out.push({ code: 'no_certificate', vi: 'Chưa đăng ký chứng thư số', en: 'No certificate registered' });
  else if (!cert.validUntil || cert.validUntil <= at) out.push({ code: 'certificate_expired', vi: 'Chứng thư số đã hết hạn hoặc bị thu hồi', en: 'Certificate expired or revoked' });
  else if (cert.validUntil.getTime() - at.getTime() < s.certificateWarnDays * 86_400_000) {
    const days = Math.floor((cert.validUntil.getTime() - at.getTime()) / 86_400_000);
    out.push({ code: 'certificate_expiring', vi: `Chứng thư số hết hạn sau ${days} ngày`, en: `Certificate expires in ${days} days`, value: days, threshold: s.certificateWarnDays });
  }
  return out;
}

/** Every expected facility of the area that lags, with its reasons (most reasons first). */
export async function laggards(db: Queryable, area: Area, period: Period, opts: { settings?: Settings; at?: Date; limit?: number; all?: boolean } = {}): Promise<Laggard[]> {
  const a = resolveArea(area);
  const p = resolvePeriod(period);
  const s = opts.settings ?? (await getSettings(db));
  // certificates are judged at the end of the period (or now, when earlier)
  const end = dayStart(addDays(p.to, 1));
  const at = opts.at ?? (end.getTime() < Date.now() ? end : new Date());
  const params: unknown[] = [at];
  const src = cells(p, params);
  let where = 'true';
  const lvl: AreaLevel = a.level;
  if (lvl === 'facility') (params.push(a.macskcb), (where = `f.macskcb = $${params.length}`));
  else if (lvl === 'district') (params.push(a.province, a.district), (where = `f.province = $${params.length - 1} AND f.district = $${params.length}`));
  else if (lvl === 'province') (params.push(a.province), (where = `f.province = $${params.length}`));
  const sums = COUNTERS.map((c) => `sum(${c})::bigint AS ${c}`).join(', ');
  const cols = COUNTERS.map((c) => `coalesce(m.${c}, 0) AS ${c}`).join(', ');
  // aggregate the period per facility first (one range scan), then join the facility list and
  // the certificates (hash joins): no per-facility lookups
  const r = await db.query(
    `WITH f AS (
       SELECT coalesce(rf.macskcb, fa.macskcb) AS macskcb, coalesce(rf.name, fa.name) AS name,
              coalesce(nullif(rf.province, ''), fa.province, '') AS province, coalesce(rf.district, '') AS district
       FROM reg_facility rf FULL JOIN facility_account fa ON fa.macskcb = rf.macskcb
       WHERE coalesce(rf.status, 'active') = 'active' AND coalesce(fa.status, 'active') = 'active'
     ),
     m AS MATERIALIZED (SELECT macskcb, ${sums} FROM ${src} x GROUP BY macskcb),
     c AS MATERIALIZED (SELECT macskcb, max(not_after) FILTER (WHERE revoked_at IS NULL AND not_before <= $1) AS valid_until FROM facility_certificate GROUP BY macskcb)
     SELECT f.macskcb, f.name, f.province, f.district, ${cols}, c.valid_until, (c.macskcb IS NOT NULL) AS any_cert
     FROM f LEFT JOIN m ON m.macskcb = f.macskcb LEFT JOIN c ON c.macskcb = f.macskcb
     WHERE ${where}
     ORDER BY f.macskcb`,
    params,
  );
  const out: Laggard[] = [];
  for (const row of r.rows) {
    const t = {} as Totals;
    for (const c of COUNTERS) t[c] = Number(row[c] ?? 0);
    const reasons = lagReasons(t, s, { validUntil: row.valid_until ? new Date(row.valid_until) : null, any: !!row.any_cert }, at);
    if (reasons.length || opts.all) out.push({ macskcb: row.macskcb, name: row.name, province: row.province, district: row.district, totals: t, reasons });
  }
  out.sort((x, y) => y.reasons.length - x.reasons.length || x.macskcb.localeCompare(y.macskcb));
  return opts.limit ? out.slice(0, opts.limit) : out;
}
