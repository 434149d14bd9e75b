// Shared pieces for `ssk` commands: exit codes, printing problems, progress on a terminal.
import { formatProblem, isProblemError, type Problem } from '../errors/index.ts';

export const EXIT = { OK: 0, INVALID: 1, UNUSABLE: 2 } as const;

export function printProblems(problems: Problem[], out: NodeJS.WriteStream = process.stderr): void {
  for (const p of problems) out.write(formatProblem(p) + '\n');
}

/** Run a command body; a ProblemError becomes its problems on stderr and exit code 2. */
export async function runCommand(fn: () => Promise<number | void>): Promise<void> {
  try {
    const code = await fn();
    if (typeof code === 'number') process.exitCode = code;
  } catch (e) {
    if (isProblemError(e)) {
      printProblems(e.problems);
    } else {
      process.stderr.write(`LỖI / ERROR: ${e instanceof Error ? e.message : String(e)}\n`);
    }
    process.exitCode = EXIT.UNUSABLE;
  }
}

/** A one-line progress bar on a terminal (stderr); silent when not a TTY. */
export function progress(label: string, total: number) {
  const tty = process.stderr.isTTY;
  let done = 0;
  let last = 0;
  const started = Date.now();
  const draw = (final = false) => {
    if (!tty) return;
    const now = Date.now();
    if (!final && now - last < 100) return;
    last = now;
    const frac = total ? Math.min(1, done / total) : 0;
    const width = 24;
    const bar = '█'.repeat(Math.round(frac * width)).padEnd(width, '░');
    const rate = done / Math.max(0.001, (now - started) / 1000);
    process.stderr.write(`\r${label} ${bar} ${done}/${total} (${rate.toFixed(0)}/s)${final ? '\n' : ''}`);
  };
  return {
    tick(n = 1) {
      done += n;
      draw();
    },
    end() {
      draw(true);
    },
  };
}

/** The `--data` option of commands that work on the gateway's database. */
export const DATA_OPTION = ['--data <dir>', 'PGlite data directory (when DATABASE_URL is not set)', '.ssk/gateway'] as const;

/**
 * Open the gateway's database (DATABASE_URL, else PGlite in `dataDir`), apply every module's
 * migrations, run fn, close. Imported lazily so commands start fast.
 */
export async function withDb<T>(dataDir: string, fn: (db: import('../store/index.ts').Db) => Promise<T>): Promise<T> {
  const { openConfiguredDb, migrate } = await import('../store/index.ts');
  const { allMigrationDirs } = await import('../store/modules.ts');
  const db = await openConfiguredDb(dataDir);
  try {
    await migrate(db, allMigrationDirs());
    return await fn(db);
  } finally {
    await db.close();
  }
}
