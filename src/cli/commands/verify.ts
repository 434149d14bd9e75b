// `ssk verify [--trust ca.pem] [--cert registered.pem] file...`: a verdict and a reason per file.
// Without --trust/--cert the document's own certificate is used and the verdict says so.
import type { Command } from 'commander';
import { runCommand, EXIT } from '../command.ts';

interface Opts {
  trust?: string[];
  cert?: string[];
  facility?: string;
  at?: string;
  allowSha1?: boolean;
  json?: boolean;
}

export function register(program: Command) {
  program
    .command('verify')
    .description('Xác minh chữ ký số của hồ sơ XML / verify the XML signature of packages')
    .argument('<paths...>', 'files or folders (folders are searched for *.xml)')
    .option('--trust <pem>', 'a trusted CA certificate file (PEM); repeat for more', collect)
    .option('--cert <pem>', 'a registered facility certificate (PEM): the signer must be one of them; repeat for more', collect)
    .option('--facility <macskcb>', 'the facility code the certificate must carry')
    .option('--at <iso-date>', 'judge certificate validity at this time (default now)')
    .option('--allow-sha1', 'accept RSA-SHA1/SHA-1 signatures')
    .option('--json', 'JSON output for machines')
    .action((paths: string[], o: Opts) => runCommand(() => verifyCommand(paths, o)));
}

function collect(v: string, prev: string[] | undefined): string[] {
  return [...(prev ?? []), v];
}

async function verifyCommand(paths: string[], o: Opts): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const sig = await import('../../signature/index.ts');
  const { listXmlFiles } = await import('./sign.ts');
  const trustAnchors = await Promise.all((o.trust ?? []).map((f) => readFile(f, 'utf8')));
  const expectedCertificates = (await Promise.all((o.cert ?? []).map((f) => readFile(f, 'utf8')))).flatMap((p) => sig.readCertificates(p).map((c) => c.raw));
  const at = o.at ? new Date(o.at) : undefined;
  if (at && Number.isNaN(at.getTime())) throw new Error('--at: ngày không hợp lệ / invalid date');
  const trustEmbedded = !trustAnchors.length && !expectedCertificates.length;
  const files = await listXmlFiles(paths);
  const out = [];
  for (const file of files) {
    const r = sig.verifySignedXml(await readFile(file), { trustAnchors, expectedCertificates, expectedFacility: o.facility, at, allowSha1: o.allowSha1, trustEmbedded });
    out.push(
      r.ok
        ? { file, ok: true, trusted: !trustEmbedded, certificate: { fingerprint: r.certificate.fingerprint, subject: r.certificate.subject, issuer: r.certificate.issuer, serial: r.certificate.serial, notBefore: r.certificate.notBefore, notAfter: r.certificate.notAfter, facilityCode: r.certificate.facilityCode } }
        : { file, ok: false, code: r.code, reason: r.reason },
    );
  }
  if (o.json) process.stdout.write(JSON.stringify({ files: out }, null, 2) + '\n');
  else {
    for (const r of out) {
      if (r.ok && 'certificate' in r) {
        const c = r.certificate!;
        process.stdout.write(`HỢP LỆ / VALID    ${r.file}  MACSKCB=${c.facilityCode ?? '-'}  sha256=${c.fingerprint.slice(0, 16)}…\n`);
        if (!r.trusted) process.stdout.write(`  ⚠ chưa đối chiếu CA tin cậy (dùng --trust/--cert) / not checked against a trusted CA (use --trust or --cert)\n`);
      } else if ('reason' in r && r.reason) process.stdout.write(`KHÔNG HỢP LỆ / INVALID  ${r.file}  ${r.code} [${r.reason.path}]: ${r.reason.vi} / ${r.reason.en}\n`);
    }
  }
  return out.every((r) => r.ok) ? EXIT.OK : EXIT.INVALID;
}
