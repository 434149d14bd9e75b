// Benchmark harness: every section measures its work and the bare cost of the same work
// (RSA verify, SHA-256, XML parse) in the same run, and reports both and their ratio.
import os from 'node:os';

export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** The bare cost this figure is compared with, in the same unit. */
  bare?: { name: string; value: number };
  /** value / bare.value (for throughputs: share of the bare limit reached). */
  ratio?: number;
  note?: string;
}

export interface Section {
  name: string;
  run(ctx: BenchContext): Promise<Figure[]>;
}

export interface BenchContext {
  /** Scale factor: 1 = the full run; smaller for a quick check (BENCH_SCALE). */
  scale: number;
  log(msg: string): void;
  tmp: string;
}

export function machine() {
  return {
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.platform()} ${os.release()}`,
    date: new Date().toISOString(),
  };
}

/** Run fn repeatedly for about `ms` milliseconds; returns operations per second. */
export async function rate(fn: () => unknown | Promise<unknown>, ms = 1000, minOps = 5): Promise<number> {
  let ops = 0;
  const start = performance.now();
  while (ops < minOps || performance.now() - start < ms) {
    await fn();
    ops++;
  }
  return ops / ((performance.now() - start) / 1000);
}

export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

export function fig(name: string, value: number, unit: string, bare?: { name: string; value: number }, note?: string): Figure {
  const f: Figure = { name, value: round(value), unit };
  if (bare) {
    f.bare = { name: bare.name, value: round(bare.value) };
    f.ratio = round(value / bare.value, 3);
  }
  if (note) f.note = note;
  return f;
}

export function round(v: number, digits = 2): number {
  const m = 10 ** digits;
  return Math.round(v * m) / m;
}
