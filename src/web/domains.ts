// The domain modules the pages stand on, loaded through their index.ts when present on this
// server. The web module is built in parallel with them: a page whose domain function is not
// present says so (WEB_UNAVAILABLE) instead of showing anything invented.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const SRC = join(import.meta.dirname, '..');

export type AnyFn = (...args: any[]) => any;
type Mod = Record<string, unknown>;

const cache = new Map<string, Promise<Mod | null>>();

/** The public surface of src/<name>/index.ts, or null when that module is not present. */
export function loadModule(name: string): Promise<Mod | null> {
  let p = cache.get(name);
  if (!p) {
    const file = join(SRC, name, 'index.ts');
    p = existsSync(file)
      ? (import(pathToFileURL(file).href) as Promise<Mod>).catch((e: unknown) => {
          process.emitWarning(`web: module ${name} failed to load: ${e instanceof Error ? e.message : String(e)}`);
          return null;
        })
      : Promise.resolve(null);
    cache.set(name, p);
  }
  return p;
}

/** One exported function of a domain module, or null. */
export async function domainFn(module: string, name: string): Promise<AnyFn | null> {
  const m = await loadModule(module);
  const f = m?.[name];
  return typeof f === 'function' ? (f as AnyFn) : null;
}

/** The first of several candidate export names that exists (names settle while modules land). */
export async function domainFnAny(module: string, names: string[]): Promise<AnyFn | null> {
  for (const n of names) {
    const f = await domainFn(module, n);
    if (f) return f;
  }
  return null;
}

export async function domainValue<T = unknown>(module: string, name: string): Promise<T | null> {
  const m = await loadModule(module);
  return (m?.[name] as T) ?? null;
}
