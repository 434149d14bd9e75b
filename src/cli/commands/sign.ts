// `ssk sign`: sign packages (GIAMDINHHS), check-in (XML0), GĐYK (XML12), death-notice and
// driving-licence health-check documents (src/standard/certificates.ts) with the
// facility key — PEM key + certificate, or PKCS#12 — in place or into an output folder.
import type { Command } from 'commander';
import { runCommand, EXIT, printProblems } from '../command.ts';

interface Opts {
  key?: string;
  cert?: string;
  p12?: string;
  passphrase?: string;
  passphraseEnv?: string;
  out?: string;
  inPlace?: boolean;
  json?: boolean;
}

export function register(program: Command) {
  program
    .command('sign')
    .description('Ký số hồ sơ XML bằng chứng thư của cơ sở / sign XML packages with the facility certificate')
    .argument('<paths...>', 'files or folders (folders are searched for *.xml)')
    .option('--key <file>', 'private key (PEM)')
    .option('--cert <file>', 'certificate (PEM)')
    .option('--p12 <file>', 'PKCS#12 (.p12/.pfx) with key and certificate')
    .option('--passphrase <text>', 'passphrase of the PKCS#12 or the encrypted PEM key')
    .option('--passphrase-env <name>', 'read the passphrase from this environment variable')
    .option('-o, --out <folder>', 'write signed files into this folder (same names)')
    .option('--in-place', 'replace each file with its signed version')
    .option('--json', 'JSON output for machines')
    .action((paths: string[], o: Opts) => runCommand(() => signCommand(paths, o)));
}

/** Files under the given paths (folders searched recursively for *.xml), sorted. */
export async function listXmlFiles(paths: string[]): Promise<string[]> {
  const { stat, readdir } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const out: string[] = [];
  const walk = async (p: string): Promise<void> => {
    if ((await stat(p)).isDirectory()) {
      for (const e of (await readdir(p)).sort()) {
        const q = join(p, e);
        if ((await stat(q)).isDirectory()) await walk(q);
        else if (/\.xml$/i.test(e)) out.push(q);
      }
    } else out.push(p);
  };
  for (const p of paths) await walk(p);
  return out;
}

async function signCommand(paths: string[], o: Opts): Promise<number> {
  const { readFile, writeFile, mkdir, rename } = await import('node:fs/promises');
  const { join, basename, dirname } = await import('node:path');
  const sig = await import('../../signature/index.ts');
  const { isProblemError } = await import('../../errors/index.ts');
  if (!o.out && !o.inPlace) throw new Error('chọn --out <thư mục> hoặc --in-place / choose --out <folder> or --in-place');
  const pass = o.passphrase ?? (o.passphraseEnv ? process.env[o.passphraseEnv] : undefined);
  let signer;
  if (o.p12) signer = sig.signerFromPkcs12(await readFile(o.p12), pass ?? '');
  else if (o.key && o.cert) signer = sig.signerFromPem(await readFile(o.key, 'utf8'), await readFile(o.cert, 'utf8'), pass);
  else throw new Error('cần --key và --cert, hoặc --p12 / give --key and --cert, or --p12');
  if (o.out) await mkdir(o.out, { recursive: true });
  const files = await listXmlFiles(paths);
  const results: { file: string; ok: boolean; output?: string; code?: string; message?: string }[] = [];
  for (const file of files) {
    try {
      const signed = await sig.signXml(await readFile(file), signer);
      const target = o.out ? join(o.out, basename(file)) : file;
      const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.tmp`);
      await writeFile(tmp, signed);
      await rename(tmp, target);
      results.push({ file, ok: true, output: target });
    } catch (e) {
      if (!isProblemError(e)) throw e;
      results.push({ file, ok: false, code: e.problems[0]?.code, message: `${e.problems[0]?.vi} / ${e.problems[0]?.en}` });
      if (!o.json) printProblems(e.problems);
    }
  }
  if (o.json) process.stdout.write(JSON.stringify({ files: results }, null, 2) + '\n');
  else for (const r of results) process.stdout.write(r.ok ? `ĐÃ KÝ / SIGNED  ${r.file} → ${r.output}\n` : `LỖI / FAILED   ${r.file}: ${r.code}\n`);
  return results.every((r) => r.ok) ? EXIT.OK : EXIT.INVALID;
}
