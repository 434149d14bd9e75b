// Incremental aggregates: mon_day / mon_reason hold one row per (local day, facility). A refresh
// recomputes a day range (optionally a set of facilities) set-based from the core tables, in one
// transaction: delete the cells, insert them again. The outbox consumers mark cells dirty and
// refreshDirty() recomputes only those; a periodic sweep of today and yesterday catches rejected
// packages (they produce no outbox event).
import type { Db, Queryable } from '../store/index.ts';
import { addDays, dayStart, localDay, resolvePeriod, type Period } from './period.ts';
import { getSettings } from './settings.ts';
import { COUNTERS } from './metrics.ts';

const LOCAL = (col: string) => `((${col} AT TIME ZONE 'UTC') + interval '7 hours')::date`;
const ARR = (expr: string) => `coalesce(jsonb_array_length(CASE WHEN jsonb_typeof(${expr}) = 'array' THEN ${expr} END), 0)`;

async function hasTable(q: Queryable, name: string): Promise<boolean> {
  const r = await q.query<{ t: string | null }>(`SELECT to_regclass($1)::text AS t`, [name]);
  return !!r.rows[0]?.t;
}

/** Recompute the aggregate cells of a period (all facilities, or only `facilities`). */
export async function refreshAggregates(db: Db, period: Period | { from: string; to: string }, facilities?: string[]): Promise<{ cells: number }> {
  const p = resolvePeriod(period);
  const settings = await getSettings(db);
  const fromTs = dayStart(p.from);
  const toTs = dayStart(addDays(p.to, 1));
  const fac = facilities?.length ? facilities : null;
  const book = await hasTable(db, 'book_feed');
  const certs = await hasTable(db, 'book_certificate');
  // Every package received: the gateway keeps accepted/partial packages in package_archive and
  // each rejected submission in package_rejection (src/gateway); both count as received.
  const rejections = await hasTable(db, 'package_rejection');
  const RECEIVED = `(SELECT id, macskcb, kind, received_at, status, certificate_id, receipt FROM package_archive${
    rejections ? ` UNION ALL SELECT -id, macskcb, kind, received_at, 'rejected', NULL::bigint, receipt FROM package_rejection` : ''
  })`;
  const params = [fromTs, toTs, settings.onTimeMinutes, fac, p.from, p.to];
  const facFilter = (col: string, n = 4) => `($${n}::text[] IS NULL OR ${col} = ANY($${n}::text[]))`;
  const sql = `
WITH
d AS (
  SELECT ${LOCAL('d.accepted_at')} AS day, d.macskcb, d.version, d.current,
    CASE WHEN d.visit_end IS NULL THEN NULL ELSE GREATEST(0, EXTRACT(EPOCH FROM (d.accepted_at - d.visit_end)) / 60.0) END AS lat,
    d.tables
  FROM dossier d WHERE d.accepted_at >= $1 AND d.accepted_at < $2 AND ${facFilter('d.macskcb')}
),
dc AS (
  SELECT d.*, d.tables->'XML1'->0 AS x1,
    EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(d.tables->'XML3') = 'array' THEN d.tables->'XML3' ELSE '[]'::jsonb END) e
            WHERE e->>'MA_NHOM' IN ('1', '2', '3')) AS has_lab
  FROM d
),
da AS (
  SELECT day, macskcb,
    count(*) FILTER (WHERE version = 1) AS dossiers,
    count(*) FILTER (WHERE version > 1) AS replacements,
    count(*) FILTER (WHERE version = 1 AND lat IS NOT NULL) AS timed,
    count(*) FILTER (WHERE version = 1 AND lat <= $3) AS on_time,
    coalesce(sum(round(lat)) FILTER (WHERE version = 1), 0) AS latency_min_sum,
    count(*) FILTER (WHERE version = 1 AND lat <= 15) AS lat_15,
    count(*) FILTER (WHERE version = 1 AND lat > 15 AND lat <= 60) AS lat_60,
    count(*) FILTER (WHERE version = 1 AND lat > 60 AND lat <= 240) AS lat_240,
    count(*) FILTER (WHERE version = 1 AND lat > 240 AND lat <= 1440) AS lat_1440,
    count(*) FILTER (WHERE version = 1 AND lat > 1440 AND lat <= 4320) AS lat_4320,
    count(*) FILTER (WHERE version = 1 AND lat > 4320) AS lat_more,
    count(*) FILTER (WHERE current AND x1->>'MA_LOAI_RV' IN ('2', '5')) AS referral_expected,
    count(*) FILTER (WHERE current AND x1->>'MA_LOAI_RV' IN ('2', '5') AND ${ARR("tables->'XML13'")} > 0) AS referral_sent,
    count(*) FILTER (WHERE current AND coalesce(x1->>'NGAY_TAI_KHAM', '') <> '') AS appt_expected,
    count(*) FILTER (WHERE current AND coalesce(x1->>'NGAY_TAI_KHAM', '') <> '' AND ${ARR("tables->'XML14'")} > 0) AS appt_sent,
    count(*) FILTER (WHERE current AND has_lab) AS lab_expected,
    count(*) FILTER (WHERE current AND has_lab AND ${ARR("tables->'XML4'")} > 0) AS lab_sent,
    coalesce(sum(${ARR("tables->'XML9'")}) FILTER (WHERE current), 0) AS births,
    count(*) FILTER (WHERE current AND x1->>'KET_QUA_DTRI' IN ('5', '8')) AS deaths
  FROM dc GROUP BY day, macskcb
),
pk AS (
  SELECT ${LOCAL('received_at')} AS day, macskcb,
    count(*) AS packages,
    count(*) FILTER (WHERE certificate_id IS NOT NULL) AS packages_signed,
    count(*) FILTER (WHERE status = 'rejected') AS packages_rejected,
    count(*) FILTER (WHERE status = 'partial') AS packages_partial
  FROM ${RECEIVED} pa WHERE kind = 'dossier' AND received_at >= $1 AND received_at < $2 AND ${facFilter('macskcb')}
  GROUP BY 1, 2
),
ck AS (
  SELECT ${LOCAL('c.received_at')} AS day, c.macskcb,
    count(*) AS checkins,
    count(*) FILTER (WHERE EXISTS (SELECT 1 FROM dossier x WHERE x.macskcb = c.macskcb AND x.ma_lk = c.ma_lk)) AS checkins_matched,
    count(*) FILTER (WHERE c.id_method = 'chip_cccd') AS checkins_cccd,
    count(*) FILTER (WHERE c.id_method = 'vneid') AS checkins_vneid
  FROM checkin c WHERE c.received_at >= $1 AND c.received_at < $2 AND ${facFilter('c.macskcb')}
  GROUP BY 1, 2
),
sh AS (
  ${
    book
      ? `SELECT ${LOCAL('f.accepted_at')} AS day, e.macskcb, count(*) AS shares, count(*) FILTER (WHERE f.latency_ms > 86400000) AS share_breaches
         FROM book_feed f JOIN book_entry e ON e.id = f.entry_id
         WHERE f.change = 'new' AND f.accepted_at >= $1 AND f.accepted_at < $2 AND ${facFilter('e.macskcb')} GROUP BY 1, 2`
      : `SELECT NULL::date AS day, NULL::text AS macskcb, 0::bigint AS shares, 0::bigint AS share_breaches WHERE false`
  }
),
dn AS (
  ${
    certs
      ? `SELECT ${LOCAL('received_at')} AS day, macskcb, count(*) AS death_notices FROM book_certificate
         WHERE kind = 'death_notice' AND version = 1 AND received_at >= $1 AND received_at < $2 AND ${facFilter('macskcb')} GROUP BY 1, 2`
      : `SELECT NULL::date AS day, NULL::text AS macskcb, 0::bigint AS death_notices WHERE false`
  }
),
k AS (
  SELECT day, macskcb FROM da UNION SELECT day, macskcb FROM pk UNION SELECT day, macskcb FROM ck
  UNION SELECT day, macskcb FROM sh UNION SELECT day, macskcb FROM dn
)
INSERT INTO mon_day (day, macskcb, province, district, dossiers, replacements, timed, on_time, latency_min_sum,
  lat_15, lat_60, lat_240, lat_1440, lat_4320, lat_more, packages, packages_signed, packages_rejected, packages_partial,
  referral_expected, referral_sent, appt_expected, appt_sent, lab_expected, lab_sent, births, deaths, death_notices,
  checkins, checkins_matched, checkins_cccd, checkins_vneid, shares, share_breaches)
SELECT k.day, k.macskcb, coalesce(nullif(rf.province, ''), fa.province, ''), coalesce(rf.district, ''),
  coalesce(da.dossiers, 0), coalesce(da.replacements, 0), coalesce(da.timed, 0), coalesce(da.on_time, 0), coalesce(da.latency_min_sum, 0),
  coalesce(da.lat_15, 0), coalesce(da.lat_60, 0), coalesce(da.lat_240, 0), coalesce(da.lat_1440, 0), coalesce(da.lat_4320, 0), coalesce(da.lat_more, 0),
  coalesce(pk.packages, 0), coalesce(pk.packages_signed, 0), coalesce(pk.packages_rejected, 0), coalesce(pk.packages_partial, 0),
  coalesce(da.referral_expected, 0), coalesce(da.referral_sent, 0), coalesce(da.appt_expected, 0), coalesce(da.appt_sent, 0),
  coalesce(da.lab_expected, 0), coalesce(da.lab_sent, 0), coalesce(da.births, 0), coalesce(da.deaths, 0), coalesce(dn.death_notices, 0),
  coalesce(ck.checkins, 0), coalesce(ck.checkins_matched, 0), coalesce(ck.checkins_cccd, 0), coalesce(ck.checkins_vneid, 0),
  coalesce(sh.shares, 0), coalesce(sh.share_breaches, 0)
FROM k
LEFT JOIN da ON da.day = k.day AND da.macskcb = k.macskcb
LEFT JOIN pk ON pk.day = k.day AND pk.macskcb = k.macskcb
LEFT JOIN ck ON ck.day = k.day AND ck.macskcb = k.macskcb
LEFT JOIN sh ON sh.day = k.day AND sh.macskcb = k.macskcb
LEFT JOIN dn ON dn.day = k.day AND dn.macskcb = k.macskcb
LEFT JOIN reg_facility rf ON rf.macskcb = k.macskcb
LEFT JOIN facility_account fa ON fa.macskcb = k.macskcb
WHERE k.day BETWEEN $5::date AND $6::date`;
  const reasons = `
INSERT INTO mon_reason (day, macskcb, province, district, code, n)
SELECT x.day, x.macskcb, coalesce(nullif(rf.province, ''), fa.province, ''), coalesce(rf.district, ''), x.code, count(DISTINCT x.id)
FROM (
  SELECT p.id, ${LOCAL('p.received_at')} AS day, p.macskcb, pr->>'code' AS code
  FROM ${RECEIVED} p
  CROSS JOIN LATERAL (
    SELECT pr FROM jsonb_array_elements(CASE WHEN jsonb_typeof(p.receipt->'problems') = 'array' THEN p.receipt->'problems' ELSE '[]'::jsonb END) pr
    UNION ALL
    SELECT pr FROM jsonb_array_elements(CASE WHEN jsonb_typeof(p.receipt->'dossiers') = 'array' THEN p.receipt->'dossiers' ELSE '[]'::jsonb END) ds,
      jsonb_array_elements(CASE WHEN jsonb_typeof(ds->'problems') = 'array' THEN ds->'problems' ELSE '[]'::jsonb END) pr
  ) q
  WHERE p.kind = 'dossier' AND p.status <> 'accepted' AND p.received_at >= $1 AND p.received_at < $2 AND ${facFilter('p.macskcb', 3)}
    AND coalesce(pr->>'severity', 'error') = 'error' AND pr->>'code' IS NOT NULL
) x
LEFT JOIN reg_facility rf ON rf.macskcb = x.macskcb
LEFT JOIN facility_account fa ON fa.macskcb = x.macskcb
WHERE x.day BETWEEN $4::date AND $5::date
GROUP BY 1, 2, 3, 4, 5`;
  return db.transaction(async (tx) => {
    await tx.query(`DELETE FROM mon_day WHERE day BETWEEN $1::date AND $2::date AND ($3::text[] IS NULL OR macskcb = ANY($3::text[]))`, [p.from, p.to, fac]);
    await tx.query(`DELETE FROM mon_reason WHERE day BETWEEN $1::date AND $2::date AND ($3::text[] IS NULL OR macskcb = ANY($3::text[]))`, [p.from, p.to, fac]);
    const r = await tx.query(sql, params);
    await tx.query(reasons, [fromTs, toTs, fac, p.from, p.to]);
    await rollUp(tx, p, fac);
    return { cells: r.rowCount };
  });
}

const SUMS = COUNTERS.map((c) => `sum(${c})`).join(', ');
const COLS = COUNTERS.join(', ');

/** Rebuild the month (per facility) and day-area roll-ups touched by a refresh of `p`. */
async function rollUp(tx: Queryable, p: Period, fac: string[] | null): Promise<void> {
  const m0 = `${p.from.slice(0, 7)}-01`;
  const m1 = p.to.slice(0, 7);
  const [y, m] = m1.split('-').map(Number);
  const mEnd = `${m1}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}`;
  await tx.query(`DELETE FROM mon_month WHERE month BETWEEN $1::date AND $2::date AND ($3::text[] IS NULL OR macskcb = ANY($3::text[]))`, [m0, mEnd, fac]);
  await tx.query(
    `INSERT INTO mon_month (month, macskcb, province, district, ${COLS})
     SELECT date_trunc('month', day)::date, macskcb, max(province), max(district), ${SUMS} FROM mon_day
     WHERE day BETWEEN $1::date AND $2::date AND ($3::text[] IS NULL OR macskcb = ANY($3::text[])) GROUP BY 1, 2`,
    [m0, mEnd, fac],
  );
  await tx.query(`DELETE FROM mon_area_day WHERE day BETWEEN $1::date AND $2::date`, [p.from, p.to]);
  await tx.query(
    `INSERT INTO mon_area_day (day, province, district, ${COLS})
     SELECT day, province, district, ${SUMS} FROM mon_day WHERE day BETWEEN $1::date AND $2::date GROUP BY 1, 2, 3`,
    [p.from, p.to],
  );
}

/** Mark the cells an accepted dossier or a check-in touches (runs inside the outbox transaction). */
export async function markDirty(tx: Queryable, topic: string, payload: any): Promise<void> {
  if (topic === 'dossier.accepted') {
    const id = Number(payload?.dossierId);
    if (!Number.isSafeInteger(id)) return;
    // the new version's day, the replaced version's day, and the day of any check-in it answers
    await tx.query(
      `INSERT INTO mon_dirty (day, macskcb)
       SELECT ${LOCAL('x.at')}, x.macskcb FROM (
         SELECT d.accepted_at AS at, d.macskcb FROM dossier d WHERE d.id = $1
         UNION SELECT r.accepted_at, r.macskcb FROM dossier d JOIN dossier r ON r.id = d.replaces_id WHERE d.id = $1
         UNION SELECT c.received_at, c.macskcb FROM dossier d JOIN checkin c ON c.macskcb = d.macskcb AND c.ma_lk = d.ma_lk WHERE d.id = $1
       ) x ON CONFLICT DO NOTHING`,
      [id],
    );
  } else if (topic === 'checkin.received') {
    const id = Number(payload?.checkinId);
    if (!Number.isSafeInteger(id)) return;
    await tx.query(`INSERT INTO mon_dirty (day, macskcb) SELECT ${LOCAL('received_at')}, macskcb FROM checkin WHERE id = $1 ON CONFLICT DO NOTHING`, [id]);
  }
}

/** Recompute the dirty cells (grouped by day) and clear them. */
export async function refreshDirty(db: Db, limit = 5000): Promise<number> {
  const r = await db.query<{ day: string; macskcb: string }>(`SELECT to_char(day, 'YYYY-MM-DD') AS day, macskcb FROM mon_dirty ORDER BY day LIMIT $1`, [limit]);
  const byDay = new Map<string, string[]>();
  for (const row of r.rows) byDay.set(row.day, [...(byDay.get(row.day) ?? []), row.macskcb]);
  for (const [day, facs] of byDay) {
    await refreshAggregates(db, { from: day, to: day }, facs);
    await db.query(`DELETE FROM mon_dirty WHERE day = $1::date AND macskcb = ANY($2::text[])`, [day, facs]);
  }
  return r.rows.length;
}

/** The periodic sweep: dirty cells, then today and yesterday for every facility. */
export async function sweep(db: Db, now = new Date()): Promise<void> {
  await refreshDirty(db);
  const today = localDay(now);
  await refreshAggregates(db, { from: addDays(today, -1), to: today });
}
