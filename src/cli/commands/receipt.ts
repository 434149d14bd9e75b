// `ssk receipt verify <receipt.json> --key gateway-public.pem`: check a gateway receipt offline.
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { runCommand, EXIT } from '../command.ts';

export function register(program: Command) {
  const r = program.command('receipt').description('biên nhận của cổng / gateway receipts');
  r.command('verify <file>')
    .description('Kiểm tra chữ ký biên nhận (ngoại tuyến) / verify a receipt signature offline')
    .requiredOption('--key <pem>', 'gateway public key (GET /api/v1/receipt-key)')
    .option('--json', 'JSON output')
    .action((file: string, o: { key: string; json?: boolean }) =>
      runCommand(async () => {
        const { verifyReceipt } = await import('../../gateway/index.ts');
        const receipt = JSON.parse(readFileSync(file, 'utf8'));
        const res = verifyReceipt(receipt, readFileSync(o.key, 'utf8'));
        if (o.json) process.stdout.write(JSON.stringify({ ...res, receiptId: receipt?.receiptId, packageSha256: receipt?.packageSha256, status: receipt?.status }) + '\n');
        else if (res.ok)
          process.stdout.write(`HỢP LỆ / VALID: ${receipt.receiptId} ${receipt.status} sha256=${receipt.packageSha256} ${receipt.acceptedAt ?? receipt.receivedAt}\n`);
        else process.stdout.write(`KHÔNG HỢP LỆ / INVALID: ${res.reason}\n`);
        return res.ok ? EXIT.OK : EXIT.INVALID;
      }),
    );
}
