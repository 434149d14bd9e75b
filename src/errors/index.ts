// Errors are values: a stable code, the field path, the rule, severity, and a message in
// Vietnamese and English. The same value reaches the CLI, the API receipt and the web page.
// Every module declares its codes once with defineErrors(); docs/errors.md lists them all.

export type Severity = 'error' | 'warning';

export interface ErrorDef {
  /** Stable code, never reused, e.g. STD_FIELD_REQUIRED. */
  code: string;
  /** HTTP status when this error ends a request. */
  status: number;
  severity: Severity;
  /** Rule id or short text: what the input broke. */
  rule: string;
  vi: string;
  en: string;
  /** What to do about it (shown in docs and on pages). */
  fix?: string;
}

export interface Problem {
  code: string;
  severity: Severity;
  /** Where: e.g. "hoso[0].XML1.NGAY_VAO" or "body.username". */
  path: string;
  rule: string;
  vi: string;
  en: string;
  status: number;
}

const registry = new Map<string, ErrorDef>();

type Defs = Record<string, Omit<ErrorDef, 'code' | 'severity' | 'status'> & { status?: number; severity?: Severity }>;

/** Declare a module's error catalogue. Codes are global and unique. */
export function defineErrors<T extends Defs>(defs: T): { [K in keyof T]: ErrorDef } {
  const out = {} as { [K in keyof T]: ErrorDef };
  for (const [code, d] of Object.entries(defs)) {
    const def: ErrorDef = { code, status: d.status ?? 400, severity: d.severity ?? 'error', rule: d.rule, vi: d.vi, en: d.en, fix: d.fix };
    const prev = registry.get(code);
    if (prev && (prev.vi !== def.vi || prev.en !== def.en)) throw new Error(`error code ${code} declared twice`);
    registry.set(code, def);
    (out as Record<string, ErrorDef>)[code] = def;
  }
  return out;
}

/** Fill {name} placeholders in the messages. Values must not carry personal data. */
function fill(text: string, vars?: Record<string, string | number>): string {
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
}

export function problem(def: ErrorDef, path = '', vars?: Record<string, string | number>, severity?: Severity): Problem {
  return { code: def.code, severity: severity ?? def.severity, path, rule: fill(def.rule, vars), vi: fill(def.vi, vars), en: fill(def.en, vars), status: def.status };
}

/** An error carrying one or more problems, thrown across I/O boundaries. */
export class ProblemError extends Error {
  readonly problems: Problem[];
  readonly status: number;
  constructor(problems: Problem | Problem[]) {
    const list = Array.isArray(problems) ? problems : [problems];
    super(list.map((p) => `${p.code}${p.path ? ` at ${p.path}` : ''}: ${p.en}`).join('; '));
    this.name = 'ProblemError';
    this.problems = list;
    this.status = list[0]?.status ?? 400;
  }
  static of(def: ErrorDef, path = '', vars?: Record<string, string | number>): ProblemError {
    return new ProblemError(problem(def, path, vars));
  }
}

export function isProblemError(e: unknown): e is ProblemError {
  return e instanceof ProblemError;
}

/** One line per problem, Vietnamese first, English beside it. */
export function formatProblem(p: Problem): string {
  return `${p.severity === 'error' ? 'LỖI' : 'CẢNH BÁO'} ${p.code}${p.path ? ` [${p.path}]` : ''}: ${p.vi} / ${p.en} (${p.rule})`;
}

export function allErrorDefs(): ErrorDef[] {
  return [...registry.values()].sort((a, b) => a.code.localeCompare(b.code));
}

/**
 * Mask values that look like personal identifiers (12-digit personal IDs, 15-char BHYT cards,
 * phone numbers) before anything reaches a log line.
 */
export function redact(text: string): string {
  return text
    .replace(/\b[A-Z]{2}\d{13}\b/g, '[BHYT]')
    .replace(/\b\d{12}\b/g, '[ID]')
    .replace(/\b0\d{9,10}\b/g, '[PHONE]');
}

export const COMMON = defineErrors({
  INPUT_TOO_LARGE: { status: 413, rule: 'size ≤ {limit} bytes', vi: 'Dữ liệu vượt quá giới hạn kích thước {limit} byte', en: 'Input exceeds the size limit of {limit} bytes', fix: 'Split the package or raise the configured limit.' },
  INPUT_TIMEOUT: { status: 408, rule: 'time ≤ {limit} ms', vi: 'Xử lý quá thời gian cho phép', en: 'Processing took longer than allowed' },
  INPUT_INVALID: { status: 400, rule: '{rule}', vi: 'Dữ liệu không hợp lệ: {detail}', en: 'Invalid input: {detail}' },
  INTERNAL: { status: 500, rule: 'internal', vi: 'Lỗi hệ thống, vui lòng thử lại', en: 'Internal error, please retry' },
});
