// `ssk book …`: health-book operations on the gateway's database, and offline QR verification.
// Reading a citizen's book is not offered here: books are read through the API, under consent and audit.
import type { Command } from 'commander';
import { EXIT, runCommand, withDb } from '../command.ts';

export function register(program: Command) {
  const book = program.command('book').description('Sổ sức khỏe: chia sẻ, mã QR, hạn 24 giờ / health book: sharing, QR codes, 24-hour limit');
  const data = ['--data <dir>', 'PGlite data directory (when DATABASE_URL is not set)', '.ssk/gateway'] as const;

  book
    .command('sla')
    .description('Thời gian từ tiếp nhận đến công bố, danh sách vi phạm 24 giờ / acceptance→publication figures and 24-hour breaches')
    .option(...data)
    .option('--from <date>', 'from (ISO date)')
    .option('--json', 'JSON output')
    .action((o: { data: string; from?: string; json?: boolean }) =>
      runCommand(async () => {
        const { slaReport } = await import('../../healthbook/index.ts');
        const r = await withDb(o.data, (db) => slaReport(db, { from: o.from ? new Date(o.from) : undefined }));
        if (o.json) console.log(JSON.stringify(r, null, 2));
        else {
          console.log(`đã công bố / published: ${r.published}; p50 ${r.p50Ms ?? '-'} ms; p99 ${r.p99Ms ?? '-'} ms; max ${r.maxMs ?? '-'} ms`);
          console.log(`vi phạm 24 giờ / breaches: ${r.breaches.length}; quá hạn chưa vào sổ / overdue: ${r.overdue.length}`);
        }
        return r.breaches.length || r.overdue.length ? EXIT.INVALID : EXIT.OK;
      }),
    );

  book
    .command('feed-client <name>')
    .description('Tạo mã truy cập luồng dữ liệu cho ứng dụng công dân / create a pull-feed client token (shown once)')
    .option(...data)
    .action((name: string, o: { data: string }) =>
      runCommand(async () => {
        const { createFeedClient } = await import('../../healthbook/index.ts');
        const c = await withDb(o.data, (db) => createFeedClient(db, name));
        console.log(JSON.stringify(c));
      }),
    );

  book
    .command('qr-key')
    .description('Khóa công khai để xác minh mã QR ngoại tuyến / public keys for offline QR verification')
    .option(...data)
    .action((o: { data: string }) =>
      runCommand(async () => {
        const { qrPublicKeys } = await import('../../healthbook/index.ts');
        const keys = await withDb(o.data, (db) => qrPublicKeys(db));
        for (const k of keys) process.stdout.write(`# ${k.keyId} ${k.alg}${k.active ? ' active' : ''}\n${k.pem}`);
      }),
    );

  book
    .command('verify-qr <text>')
    .description('Xác minh mã QR giấy chuyển tuyến / giấy hẹn, ngoại tuyến / verify a referral or appointment QR offline')
    .requiredOption('--key <file>', 'public key PEM file (from `ssk book qr-key`)')
    .option('--json', 'JSON output')
    .action((text: string, o: { key: string; json?: boolean }) =>
      runCommand(async () => {
        const { readFileSync } = await import('node:fs');
        const { verifyQr } = await import('../../healthbook/index.ts');
        const pems = readFileSync(o.key, 'utf8').split(/(?=-----BEGIN PUBLIC KEY-----)/).filter((x) => x.includes('BEGIN PUBLIC KEY'));
        const v = verifyQr(text, pems);
        if (o.json) console.log(JSON.stringify(v, null, 2));
        else if (v.ok) console.log(`HỢP LỆ / VALID: ${v.payload.t === 'R' ? 'giấy chuyển tuyến / referral' : 'giấy hẹn / appointment'} số ${v.payload.n}, cơ sở ${v.payload.f}`);
        else console.log(`KHÔNG HỢP LỆ / INVALID: ${v.reason.vi} / ${v.reason.en}`);
        return v.ok ? EXIT.OK : EXIT.INVALID;
      }),
    );
}
