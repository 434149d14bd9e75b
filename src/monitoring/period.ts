// Periods and areas: local days (Asia/Ho_Chi_Minh, UTC+7, no daylight saving).
import { ProblemError } from '../errors/index.ts';
import { MON } from './errors.ts';

export interface Period {
  /** First local day, YYYY-MM-DD. */
  from: string;
  /** Last local day (inclusive), YYYY-MM-DD. */
  to: string;
}

export interface Area {
  province?: string;
  district?: string;
  macskcb?: string;
}

export type AreaLevel = 'nation' | 'province' | 'district' | 'facility';

export const MAX_DAYS = 3660;
const DAY = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

function validDay(s: string): boolean {
  if (!DAY.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return d.toISOString().slice(0, 10) === s;
}

export function monthPeriod(month: string): Period {
  if (!MONTH.test(month)) throw ProblemError.of(MON.MON_BAD_PERIOD, 'month', { maxDays: MAX_DAYS });
  const [y, m] = month.split('-').map(Number);
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return { from: `${month}-01`, to: `${month}-${String(last).padStart(2, '0')}` };
}

/** Accept { from, to } or { month }; validates and bounds the length. */
export function resolvePeriod(p: { from?: string; to?: string; month?: string } | string): Period {
  if (typeof p === 'string') return monthPeriod(p);
  if (p.month) return monthPeriod(p.month);
  const { from, to } = p;
  if (!from || !to || !validDay(from) || !validDay(to) || from > to) throw ProblemError.of(MON.MON_BAD_PERIOD, 'period', { maxDays: MAX_DAYS });
  if (daysBetween(from, to) > MAX_DAYS) throw ProblemError.of(MON.MON_BAD_PERIOD, 'period', { maxDays: MAX_DAYS });
  return { from, to };
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;
}

/** The UTC instant where a local day starts. */
export function dayStart(day: string): Date {
  return new Date(`${day}T00:00:00+07:00`);
}

export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

/** Local day (UTC+7) of an instant. */
export function localDay(at: Date): string {
  return new Date(at.getTime() + 7 * 3_600_000).toISOString().slice(0, 10);
}

/** The month before the one containing `at` (local time), YYYY-MM. */
export function previousMonth(at: Date = new Date()): string {
  const d = localDay(at);
  const y = Number(d.slice(0, 4));
  const m = Number(d.slice(5, 7));
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

export function resolveArea(a: Area = {}): Area & { level: AreaLevel } {
  const out: Area & { level: AreaLevel } = { level: 'nation' };
  if (a.macskcb) {
    if (!/^[A-Za-z0-9.]{5}$/.test(a.macskcb)) throw ProblemError.of(MON.MON_BAD_AREA, 'macskcb');
    return { level: 'facility', macskcb: a.macskcb };
  }
  if (a.province) {
    if (!/^\d{2}$/.test(a.province)) throw ProblemError.of(MON.MON_BAD_AREA, 'province');
    out.level = 'province';
    out.province = a.province;
  }
  if (a.district) {
    if (!/^\d{3}$/.test(a.district) || !a.province) throw ProblemError.of(MON.MON_BAD_AREA, 'district');
    out.level = 'district';
    out.district = a.district;
  }
  return out;
}
