// Monitoring: compliance metrics (expected / received / on time / rate), KPIs per area and
// period, lagging facilities, monthly reports (XLSX, CSV, PDF) and SVG charts.
export { MON } from './errors.ts';
export { type Area, type AreaLevel, type Period, resolveArea, resolvePeriod, monthPeriod, previousMonth, localDay } from './period.ts';
export { type Settings, DEFAULT_SETTINGS, getSettings, setSettings } from './settings.ts';
export { refreshAggregates, refreshDirty, markDirty, sweep } from './aggregate.ts';
export {
  COUNTERS, KPI_LABELS, LATENCY_BUCKETS, type Counter, type Totals, type Kpi, type KpiKey, type SeriesPoint, type BreakdownRow,
  totals, kpisOf, series, breakdown, topReasons, facilityCoverage, latencyDistribution,
} from './metrics.ts';
export { laggards, lagReasons, type Laggard, type LagReason, type LagCode } from './laggards.ts';
export { dashboard, dashboardCharts, type Dashboard, type DashboardQuery } from './dashboard.ts';
export { renderChart, chartTable, type ChartSpec, type ChartSeries } from './charts.ts';
export { buildReport, generateReport, getReport, listReports, ensureMonthlyReports, type ReportScope, type ReportFormat, type ReportRow } from './report.ts';
