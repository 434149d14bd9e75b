// Small helpers shared by the book's and access's HTTP routes: query parsing with clear errors.
import { ProblemError } from '../errors/index.ts';
import { BOOK } from './errors.ts';

const bad = (field: string, detail: string) => ProblemError.of(BOOK.BOOK_BAD_QUERY, field, { field, detail, rule: detail });

export function qList(v: unknown, field: string): string[] | undefined {
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string' || v.length > 1000) throw bad(field, 'comma-separated list');
  return v.split(',').map((x) => x.trim()).filter(Boolean);
}
export function qDate(v: unknown, field: string): Date | undefined {
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string' || v.length > 40) throw bad(field, 'ISO date');
  const d = /^\d{8}$/.test(v) ? new Date(`${v.slice(0, 4)}-${v.slice(4, 6)}-${v.slice(6, 8)}T00:00:00+07:00`) : new Date(v);
  if (Number.isNaN(d.getTime())) throw bad(field, 'ISO date or yyyyMMdd');
  return d;
}
export function qInt(v: unknown, field: string, min: number, max: number): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw bad(field, `integer ${min}..${max}`);
  return n;
}
export function qText(v: unknown, field: string, max = 500): string | undefined {
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string' || v.length > max) throw bad(field, `text up to ${max} characters`);
  return v;
}
export function body(v: unknown): Record<string, any> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw bad('body', 'a JSON object');
  return v as Record<string, any>;
}
