// The README's test command (`npm test`): type-check the whole tree, then run every test file
// beside the code with node's test runner. Integration tests also run on PostgreSQL when
// DATABASE_URL is set (CI sets it).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const bin = (name: string) => join(root, 'node_modules', '.bin', name);

function run(cmd: string, args: string[]): number {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, env: process.env });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

console.log(`node ${process.version}; DATABASE_URL ${process.env.DATABASE_URL ? 'set' : 'not set (PGlite only)'}`);
const tsc = existsSync(bin('tsc')) ? bin('tsc') : 'tsc';
if (run(tsc, ['-p', '.']) !== 0) {
  console.error('typecheck failed');
  process.exit(1);
}
console.log('typecheck ok');

const extra = process.argv.slice(2);
const patterns = extra.length ? extra : ['src/**/*.test.ts', 'bench/**/*.test.ts'];
const code = run(process.execPath, [
  '--test',
  '--test-concurrency=2',
  '--test-timeout=600000',
  '--test-reporter=spec',
  ...patterns,
]);
process.exit(code);
