// `ssk demo`: the whole chain in one command on the embedded database (README: npm start).
import type { Command } from 'commander';
import { runCommand, EXIT } from '../command.ts';

export function register(program: Command) {
  program
    .command('demo')
    .description('Chạy thử toàn bộ chuỗi với một tỉnh mô phỏng / run the whole chain on a synthetic province')
    .option('--dir <dir>', 'demo working directory (database, state, connector folders)', '.ssk/demo')
    .option('--port <n>', 'gateway port', (v) => Number(v), Number(process.env.PORT ?? 8130))
    .option('--host <host>', 'gateway host', '127.0.0.1')
    .option('--seed <n>', 'seed of the synthetic province (first run only)', (v) => Number(v))
    .option('--districts <n>', 'districts of the province (first run only; fewer = fewer facilities)', (v) => Number(v), 4)
    .option('--rate <n>', 'dossiers per second while running', (v) => Number(v), 2)
    .option('--connectors <n>', 'facilities sending through a connector', (v) => Number(v), 2)
    .option('--once [n]', 'send n dossiers (default 40), wait for the health book, print a summary and exit')
    .option('--json', 'summary as JSON (with --once)')
    .action((o: { dir: string; port: number; host: string; seed?: number; districts: number; rate: number; connectors: number; once?: string | boolean; json?: boolean }) =>
      runCommand(async () => {
        const { startDemo, signInLines } = await import('../../demo/run.ts');
        const once = o.once === undefined ? undefined : o.once === true ? 40 : Number(o.once);
        if (once !== undefined && (!Number.isInteger(once) || once < 1 || once > 100_000)) {
          process.stderr.write('--once: 1..100000\n');
          return EXIT.INVALID;
        }
        const quiet = Boolean(o.json);
        const d = await startDemo({ dir: o.dir, port: o.port, host: o.host, seed: o.seed, districts: o.districts, connectors: o.connectors, out: quiet ? () => {} : undefined });
        const line = () => {
          const s = d.stats;
          return `đã gửi/sent ${s.sent} · chấp nhận/accepted ${s.accepted} · từ chối/rejected ${s.rejected} · lỗi/failed ${s.failed} · qua connector ${s.viaConnector} · check-in ${s.checkins} · sổ sức khỏe/book ${s.bookEntries}`;
        };
        if (once !== undefined) {
          const tty = process.stderr.isTTY;
          let done = 0;
          while (done < once) {
            const n = Math.min(10, once - done);
            await d.send(n);
            done += n;
            if (tty) process.stderr.write(`\r${line()}`);
          }
          const ok = await d.settle(120_000);
          if (tty) process.stderr.write('\n');
          const summary = { ...d.stats, url: d.url, settled: ok, missing: d.missing };
          if (o.json) process.stdout.write(JSON.stringify(summary) + '\n');
          else {
            process.stdout.write(line() + '\n');
            for (const l of signInLines(d, o.dir)) process.stdout.write(l + '\n');
          }
          await d.close();
          return ok && d.stats.sent === once && d.stats.failed === 0 && d.stats.rejected === 0 ? EXIT.OK : EXIT.INVALID;
        }
        // A first few visits, so the citizen shown has a book to read.
        await d.send(4);
        await d.settle(30_000);
        process.stdout.write('\n' + signInLines(d, o.dir).join('\n') + '\n\nNhấn Ctrl-C để dừng / press Ctrl-C to stop\n\n');
        let stopping = false;
        const stop = new Promise<void>((resolve) => {
          const f = () => {
            stopping = true;
            resolve();
          };
          process.once('SIGINT', f);
          process.once('SIGTERM', f);
        });
        const interval = Math.max(50, Math.round(1000 / Math.max(0.1, o.rate)));
        const loop = (async () => {
          let ticks = 0;
          while (!stopping) {
            await d.send(1);
            if (++ticks % 5 === 0) await d.settle(0);
            process.stderr.write(process.stderr.isTTY ? `\r${line()}` : ticks % 50 === 0 ? line() + '\n' : '');
            await new Promise((r) => setTimeout(r, interval));
          }
        })();
        await stop;
        await loop;
        process.stderr.write('\nđang dừng / stopping\n');
        await d.close();
      }),
    );
}
