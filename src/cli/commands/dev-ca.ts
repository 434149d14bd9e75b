// `ssk dev-ca <folder> --facility 79001[:Tên] ...`: a DEVELOPMENT root CA and facility certificates
// (subject carries UID=MACSKCB:<code>), each as PEM key + certificate and as a .p12. Never for real use.
import type { Command } from 'commander';
import { runCommand, EXIT } from '../command.ts';

interface Opts {
  facility?: string[];
  passphrase?: string;
  json?: boolean;
}

export function register(program: Command) {
  program
    .command('dev-ca')
    .description('Tạo CA phát triển và chứng thư cơ sở (chỉ dùng thử) / create a development CA and facility certificates')
    .argument('<folder>', 'output folder (ca.cert.pem, ca.key.pem, <MACSKCB>.key.pem, <MACSKCB>.cert.pem, <MACSKCB>.p12)')
    .option('--facility <code[:name]>', 'a facility code (5 characters), optionally with a name; repeat for more', (v: string, prev: string[] | undefined) => [...(prev ?? []), v])
    .option('--passphrase <text>', 'passphrase of the .p12 files', 'sosuckhoe')
    .option('--json', 'JSON output for machines')
    .action((folder: string, o: Opts) => runCommand(() => devCaCommand(folder, o)));
}

async function devCaCommand(folder: string, o: Opts): Promise<number> {
  const { mkdir, writeFile, readFile, access } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const sig = await import('../../signature/index.ts');
  await mkdir(folder, { recursive: true });
  const caCert = join(folder, 'ca.cert.pem');
  const caKey = join(folder, 'ca.key.pem');
  let ca: { keyPem: string; certPem: string };
  const exists = await access(caKey).then(() => true, () => false);
  if (exists) ca = { keyPem: await readFile(caKey, 'utf8'), certPem: await readFile(caCert, 'utf8') };
  else {
    ca = await sig.createDevCa();
    await writeFile(caKey, ca.keyPem, { mode: 0o600 });
    await writeFile(caCert, ca.certPem);
  }
  const out: { macskcb: string; cert: string; key: string; p12: string; fingerprint: string }[] = [];
  for (const spec of o.facility ?? ['79001']) {
    const [code, ...rest] = spec.split(':');
    if (!/^[0-9A-Za-z]{5}$/.test(code)) throw new Error(`mã cơ sở phải có 5 ký tự / facility code must be 5 characters: ${code}`);
    const name = rest.join(':') || `Cơ sở ${code} (phát triển)`;
    const c = await sig.issueFacilityCertificate(ca, code, name);
    const files = { key: join(folder, `${code}.key.pem`), cert: join(folder, `${code}.cert.pem`), p12: join(folder, `${code}.p12`) };
    await writeFile(files.key, c.keyPem, { mode: 0o600 });
    await writeFile(files.cert, c.certPem);
    await writeFile(files.p12, sig.toPkcs12(c.keyPem, c.certPem, o.passphrase ?? 'sosuckhoe', [ca.certPem]), { mode: 0o600 });
    out.push({ macskcb: code, ...files, fingerprint: c.fingerprint });
  }
  if (o.json) process.stdout.write(JSON.stringify({ ca: caCert, reused: exists, facilities: out }, null, 2) + '\n');
  else {
    process.stdout.write(`⚠ CA PHÁT TRIỂN — KHÔNG DÙNG THẬT / DEVELOPMENT CA — NOT FOR REAL USE\nCA: ${caCert}${exists ? ' (đã có / reused)' : ''}\n`);
    for (const f of out) process.stdout.write(`${f.macskcb}: ${f.cert}, ${f.key}, ${f.p12}  sha256=${f.fingerprint}\n`);
  }
  return EXIT.OK;
}
