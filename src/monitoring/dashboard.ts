// The dashboard in one call: KPIs, time series, child-area breakdown, latency distribution,
// top rejection reasons and lagging facilities, for an area and a period.
import type { Queryable } from '../store/index.ts';
import { resolveArea, resolvePeriod, daysBetween, type Area, type AreaLevel, type Period } from './period.ts';
import { breakdown, facilityCoverage, kpisOf, latencyDistribution, series, topReasons, totals, type BreakdownRow, type Kpi, type SeriesPoint, type Totals } from './metrics.ts';
import { laggards, type Laggard } from './laggards.ts';
import { getSettings, type Settings } from './settings.ts';

export interface DashboardQuery {
  area?: Area;
  /** { from, to } (YYYY-MM-DD) or { month: 'YYYY-MM' } or 'YYYY-MM'. */
  period: { from?: string; to?: string; month?: string } | string;
  /** Series granularity; default: day for periods up to 62 days, else month. */
  granularity?: 'day' | 'month';
  /** Skip the laggard list (cheaper). */
  laggards?: boolean;
  laggardLimit?: number;
}

export interface Dashboard {
  area: Area & { level: AreaLevel };
  period: Period;
  settings: Settings;
  totals: Totals;
  kpis: Kpi[];
  series: SeriesPoint[];
  granularity: 'day' | 'month';
  latency: { key: string; vi: string; en: string; count: number }[];
  meanLatencyMinutes: number | null;
  breakdown: BreakdownRow[];
  topReasons: { code: string; packages: number }[];
  laggards: Laggard[];
}

export async function dashboard(db: Queryable, q: DashboardQuery): Promise<Dashboard> {
  const area = resolveArea(q.area);
  const period = resolvePeriod(q.period);
  const settings = await getSettings(db);
  const granularity = q.granularity ?? (daysBetween(period.from, period.to) > 62 ? 'month' : 'day');
  const [t, cov, ser, br, reasons, lag] = await Promise.all([
    totals(db, area, period),
    facilityCoverage(db, area, period),
    series(db, area, period, granularity),
    area.level === 'facility' ? Promise.resolve([]) : breakdown(db, area, period, settings),
    topReasons(db, area, period),
    q.laggards === false ? Promise.resolve([]) : laggards(db, area, period, { settings, limit: q.laggardLimit ?? 200 }),
  ]);
  return {
    area,
    period,
    settings,
    totals: t,
    kpis: kpisOf(t, settings, cov),
    series: ser,
    granularity,
    latency: latencyDistribution(t),
    meanLatencyMinutes: t.timed ? t.latency_min_sum / t.timed : null,
    breakdown: br,
    topReasons: reasons,
    laggards: lag,
  };
}

import type { ChartSpec } from './charts.ts';

/** Ready-made chart specifications for a dashboard (render with renderChart). */
export function dashboardCharts(d: Dashboard): Record<'dossiers' | 'timeliness' | 'latency' | 'identification' | 'breakdown', ChartSpec> {
  const labels = d.series.map((p) => p.period);
  const vneid = d.kpis.find((k) => k.key === 'vneid');
  return {
    dossiers: {
      type: 'bar',
      title: 'Hồ sơ nhận được và lượt tiếp đón / Dossiers received and check-ins',
      labels,
      series: [
        { name: 'Hồ sơ / dossiers', values: d.series.map((p) => p.dossiers) },
        { name: 'Tiếp đón / check-ins', values: d.series.map((p) => p.checkins) },
      ],
    },
    timeliness: {
      type: 'line',
      title: 'Tỷ lệ gửi đúng hạn / On-time share',
      labels,
      format: 'percent',
      series: [{ name: 'Đúng hạn / on time', values: d.series.map((p) => p.onTimeRate) }],
      target: { value: d.settings.onTimeTarget, label: `Mục tiêu / target ${Math.round(d.settings.onTimeTarget * 100)}%` },
    },
    latency: {
      type: 'bar',
      title: 'Thời gian từ ra viện đến khi được tiếp nhận / Minutes from visit end to acceptance',
      labels: d.latency.map((b) => b.vi),
      series: [{ name: 'Hồ sơ / dossiers', values: d.latency.map((b) => b.count) }],
    },
    identification: {
      type: 'stacked',
      title: 'Cách định danh khi tiếp đón / Identification at check-in',
      labels,
      format: 'percent',
      series: [
        { name: 'VNeID', values: d.series.map((p) => p.vneid) },
        { name: 'CCCD gắn chip / chip CCCD', values: d.series.map((p) => p.cccd) },
        { name: 'Khác / other', values: d.series.map((p) => Math.max(0, p.checkins - p.vneid - p.cccd)) },
      ],
      target: vneid?.target !== undefined ? { value: vneid.target, label: `VNeID ${Math.round(vneid.target * 100)}%` } : undefined,
    },
    breakdown: {
      type: 'bar',
      title: 'Tỷ lệ đúng hạn theo địa bàn / On-time share by area',
      labels: d.breakdown.map((b) => b.name),
      format: 'percent',
      series: [{ name: 'Đúng hạn / on time', values: d.breakdown.map((b) => b.kpis.find((k) => k.key === 'timeliness')?.rate ?? null) }],
    },
  };
}
