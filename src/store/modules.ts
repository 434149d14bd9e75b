// The gateway's modules that may carry their own migrations (src/<module>/migrations/NNNN_*.sql),
// outbox workers (src/<module>/worker.ts) and HTTP routes (src/<module>/routes.ts).
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const GATEWAY_MODULES = ['gateway', 'registry', 'access/identity', 'access', 'healthbook', 'monitoring', 'web'] as const;

const src = join(import.meta.dirname, '..');

export function allMigrationDirs(): string[] {
  return GATEWAY_MODULES.map((m) => join(src, m, 'migrations')).filter((d) => existsSync(d));
}

/** Path of src/<module>/<file> when it exists. */
export function moduleFile(module: string, file: string): string | undefined {
  const p = join(src, module, file);
  return existsSync(p) ? p : undefined;
}
