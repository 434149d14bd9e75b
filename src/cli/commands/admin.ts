// `ssk admin`: facility accounts, API tokens and signing certificates, directly on the database
// (DATABASE_URL, else PGlite in --data; with PGlite stop `ssk serve` first or use the admin API).
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { runCommand, withDb } from '../command.ts';

function out(json: boolean | undefined, data: unknown, text: () => string) {
  process.stdout.write(json ? JSON.stringify(data, null, 2) + '\n' : text() + '\n');
}

export function register(program: Command) {
  const admin = program.command('admin').description('Quản trị cổng: cơ sở, mã truy cập, chứng thư số / gateway administration');
  admin.option('--data <dir>', 'PGlite data directory (when DATABASE_URL is not set)', '.ssk/gateway');
  const data = () => admin.opts<{ data: string }>().data;

  const fac = admin.command('facility').description('tài khoản cơ sở KCB / facility accounts');
  fac
    .command('add <macskcb> <name>')
    .option('--province <code>', 'province code (default: first 2 characters of MACSKCB)')
    .option('--username <u>', 'national-facade login name')
    .option('--password <p>', 'national-facade password (stored as scrypt of its upper-case MD5)')
    .option('--json', 'JSON output')
    .action((macskcb: string, name: string, o: { province?: string; username?: string; password?: string; json?: boolean }) =>
      runCommand(async () => {
        const { addFacility } = await import('../../gateway/index.ts');
        const a = await withDb(data(), (db) => addFacility(db, { macskcb, name, province: o.province, username: o.username, password: o.password }));
        out(o.json, a, () => `đã tạo / created ${a.macskcb} ${a.name}`);
      }),
    );
  fac
    .command('list')
    .option('--json', 'JSON output')
    .action((o: { json?: boolean }) =>
      runCommand(async () => {
        const { listFacilities } = await import('../../gateway/index.ts');
        const list = await withDb(data(), (db) => listFacilities(db));
        out(o.json, list, () => list.map((a) => `${a.macskcb}\t${a.status}\t${a.name}`).join('\n') || '(trống / none)');
      }),
    );

  const tok = admin.command('token').description('mã truy cập API / API tokens');
  tok
    .command('issue <macskcb>')
    .option('--name <name>', 'label')
    .option('--scopes <list>', 'comma-separated scopes (submit,read)', 'submit,read')
    .option('--json', 'JSON output')
    .action((macskcb: string, o: { name?: string; scopes: string; json?: boolean }) =>
      runCommand(async () => {
        const { issueToken } = await import('../../gateway/index.ts');
        const r = await withDb(data(), (db) => issueToken(db, macskcb, { name: o.name, scopes: o.scopes.split(',').map((s) => s.trim()).filter(Boolean) }));
        out(o.json, r, () => `id ${r.info.id}\n${r.token}\n(chỉ hiển thị một lần / shown once)`);
      }),
    );
  tok
    .command('rotate <id>')
    .option('--json', 'JSON output')
    .action((id: string, o: { json?: boolean }) =>
      runCommand(async () => {
        const { rotateToken } = await import('../../gateway/index.ts');
        const r = await withDb(data(), (db) => db.transaction((tx) => rotateToken(tx, Number(id))));
        out(o.json, r, () => `id ${r.info.id} (thay / replaces ${r.revoked.id})\n${r.token}`);
      }),
    );
  tok
    .command('revoke <id>')
    .option('--json', 'JSON output')
    .action((id: string, o: { json?: boolean }) =>
      runCommand(async () => {
        const { revokeToken } = await import('../../gateway/index.ts');
        const r = await withDb(data(), (db) => revokeToken(db, Number(id)));
        out(o.json, r, () => `đã thu hồi / revoked ${r.id}`);
      }),
    );
  tok
    .command('list [macskcb]')
    .option('--json', 'JSON output')
    .action((macskcb: string | undefined, o: { json?: boolean }) =>
      runCommand(async () => {
        const { listTokens } = await import('../../gateway/index.ts');
        const r = await withDb(data(), (db) => listTokens(db, macskcb));
        out(o.json, r, () => r.map((t) => `${t.id}\t${t.macskcb}\t${t.revokedAt ? 'revoked' : 'active'}\t${t.scopes.join(',')}\t${t.name}`).join('\n') || '(trống / none)');
      }),
    );

  const cert = admin.command('cert').description('chứng thư số ký gói / signing certificates');
  cert
    .command('register <macskcb> <file>')
    .option('--replace', 'revoke the facility’s other active certificates (update)')
    .option('--json', 'JSON output')
    .action((macskcb: string, file: string, o: { replace?: boolean; json?: boolean }) =>
      runCommand(async () => {
        const { registerCertificate, replaceCertificate, certView } = await import('../../gateway/index.ts');
        const bytes = readFileSync(file);
        const input = bytes.includes('-----BEGIN') ? bytes.toString('utf8') : bytes;
        const r = await withDb(data(), (db) => (o.replace ? db.transaction((tx) => replaceCertificate(tx, macskcb, input)) : registerCertificate(db, macskcb, input)));
        out(o.json, certView(r), () => `đã đăng ký / registered ${r.fingerprint} (${r.subject}, ${r.notBefore.toISOString()} – ${r.notAfter.toISOString()})`);
      }),
    );
  cert
    .command('revoke <macskcb> <fingerprint>')
    .option('--reason <text>', 'reason', 'revoked')
    .option('--json', 'JSON output')
    .action((macskcb: string, fp: string, o: { reason: string; json?: boolean }) =>
      runCommand(async () => {
        const { revokeCertificate, certView } = await import('../../gateway/index.ts');
        const r = await withDb(data(), (db) => revokeCertificate(db, macskcb, fp, o.reason));
        out(o.json, certView(r), () => `đã thu hồi / revoked ${r.fingerprint}`);
      }),
    );
  cert
    .command('list [macskcb]')
    .option('--json', 'JSON output')
    .action((macskcb: string | undefined, o: { json?: boolean }) =>
      runCommand(async () => {
        const { listCertificates, certView } = await import('../../gateway/index.ts');
        const r = (await withDb(data(), (db) => listCertificates(db, macskcb))).map(certView);
        out(o.json, r, () => r.map((c) => `${c.macskcb}\t${c.status}\t${c.fingerprint}\t${c.subject}`).join('\n') || '(trống / none)');
      }),
    );
}
