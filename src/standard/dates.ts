// Dates and times of the standard: yyyyMMdd and yyyyMMddHHmm, in Vietnam's time (UTC+7, no DST).
import { ProblemError } from '../errors/index.ts';
import { STD } from './errors.ts';

const VN_OFFSET_MS = 7 * 3600 * 1000;

function daysIn(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/**
 * Check a date/time text. `zeroFill` accepts unknown parts written as zeros (NGAY_SINH: 00 month,
 * 00 day, 0000 time). Lengths: 8 (date), 12 (datetime), 14 (with seconds, gateway times).
 */
export function isDateText(s: string, kind: 'date' | 'datetime' | 'datetime14', zeroFill = false): boolean {
  const len = kind === 'date' ? 8 : kind === 'datetime' ? 12 : 14;
  if (s.length !== len || !/^\d+$/.test(s)) return false;
  const y = +s.slice(0, 4), m = +s.slice(4, 6), d = +s.slice(6, 8);
  if (y < 1900 || y > 2200) return false;
  if (m === 0 || d === 0) {
    if (!zeroFill) return false;
    if (m === 0 && d !== 0) return false;
  }
  if (m > 12) return false;
  if (d > (m === 0 ? 31 : daysIn(y, m))) return false;
  if (len >= 12) {
    const hh = +s.slice(8, 10), mm = +s.slice(10, 12);
    if (hh > 23 || mm > 59) return false;
    if (len === 14 && +s.slice(12, 14) > 59) return false;
  }
  return true;
}

/** Parse 'yyyyMMddHHmm' | 'yyyyMMdd' | 'yyyyMMddHHmmss' (Asia/Ho_Chi_Minh) to a Date, or null when malformed. Zero-filled month/day count as 01. */
export function tryParseDateTime(s: string): Date | null {
  if (!s || !/^\d{8}(\d{4}(\d{2})?)?$/.test(s)) return null;
  const kind = s.length === 8 ? 'date' : s.length === 12 ? 'datetime' : 'datetime14';
  if (!isDateText(s, kind, true)) return null;
  const y = +s.slice(0, 4), m = Math.max(1, +s.slice(4, 6)), d = Math.max(1, +s.slice(6, 8));
  const hh = s.length >= 12 ? +s.slice(8, 10) : 0, mm = s.length >= 12 ? +s.slice(10, 12) : 0, ss = s.length === 14 ? +s.slice(12, 14) : 0;
  return new Date(Date.UTC(y, m - 1, d, hh, mm, ss) - VN_OFFSET_MS);
}

/** Parse a date or time of the standard (Asia/Ho_Chi_Minh). Throws ProblemError when malformed. */
export function parseDateTime(s: string): Date {
  const d = tryParseDateTime(s);
  if (!d) throw ProblemError.of(STD.STD_FIELD_DATETIME, '', { field: 'date' });
  return d;
}

/** Format a Date as the standard's text in Vietnam's time. */
export function formatDateTime(d: Date, kind: 'date' | 'datetime' = 'datetime'): string {
  const v = new Date(d.getTime() + VN_OFFSET_MS);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const s = `${p(v.getUTCFullYear(), 4)}${p(v.getUTCMonth() + 1)}${p(v.getUTCDate())}`;
  return kind === 'date' ? s : `${s}${p(v.getUTCHours())}${p(v.getUTCMinutes())}`;
}
