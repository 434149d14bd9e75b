// The `ssk` command: thin wiring of the domain modules. Each command module exports
// `register(program)`; they are imported lazily so `ssk validate` does not load the database.
// Every file in src/cli/commands/ (not tests) is a command module exporting
// `register(program)`. Command modules stay small and import heavy modules (database, HTTP)
// lazily inside their actions, so `ssk --help` and `ssk validate` start fast.
import { Command } from 'commander';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export type Register = (program: Command) => void | Promise<void>;

const dir = join(import.meta.dirname, 'commands');
const modules = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
  .sort()
  .map((f) => () => import(join(dir, f)) as Promise<{ register: Register }>);

export async function buildProgram(): Promise<Command> {
  const program = new Command();
  program
    .name('ssk')
    .description('sosuckhoe — Sổ sức khỏe điện tử: connector, cổng tiếp nhận và sổ sức khỏe / connector, receiving gateway and health book')
    .version('0.1.0')
    .enablePositionalOptions()
    .showHelpAfterError();
  for (const load of modules) await (await load()).register(program);
  return program;
}

if (import.meta.main) {
  const program = await buildProgram();
  await program.parseAsync(process.argv);
}
