// The `ssk` command: thin wiring of the domain modules. Each command module exports
// `register(program)`; they are imported lazily so `ssk validate` does not load the database.
import { Command } from 'commander';

export type Register = (program: Command) => void | Promise<void>;

/** Command modules. Each exports `register(program: Command)`. */
const modules: (() => Promise<{ register: Register }>)[] = [
  // filled as modules land: validate, sign, verify, dev-ca, serve, admin, connector, demo, ...
];

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
