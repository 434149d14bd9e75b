// `ssk migrate`: apply the database migrations (DATABASE_URL, else PGlite in --data).
import type { Command } from 'commander';
import { runCommand } from '../command.ts';

export function register(program: Command) {
  program
    .command('migrate')
    .description('Áp dụng migration cơ sở dữ liệu / apply database migrations')
    .option('--data <dir>', 'PGlite data directory (when DATABASE_URL is not set)', '.ssk/gateway')
    .action((o: { data: string }) =>
      runCommand(async () => {
        const { openConfiguredDb, migrate } = await import('../../store/index.ts');
        const { allMigrationDirs } = await import('../../store/modules.ts');
        const db = await openConfiguredDb(o.data);
        try {
          const applied = await migrate(db, allMigrationDirs());
          console.log(applied.length ? `đã áp dụng / applied: ${applied.join(', ')}` : 'không có gì mới / nothing to apply');
        } finally {
          await db.close();
        }
      }),
    );
}
