// `ssk serve`: the receiving gateway (PGlite in .ssk/gateway by default, DATABASE_URL when set).
import type { Command } from 'commander';
import { runCommand } from '../command.ts';

export function register(program: Command) {
  program
    .command('serve')
    .description('Chạy cổng tiếp nhận / run the receiving gateway')
    .option('--data <dir>', 'PGlite data directory (when DATABASE_URL is not set)', '.ssk/gateway')
    .option('--port <n>', 'port', (v) => Number(v), Number(process.env.PORT ?? 8130))
    .option('--host <host>', 'host', process.env.HOST ?? '127.0.0.1')
    .option('--max-in-flight <n>', 'requests handled at once before 429', (v) => Number(v))
    .option('--no-worker', 'do not run the outbox worker in this process')
    .option('--quiet', 'no request logs')
    .action((o: { data: string; port: number; host: string; maxInFlight?: number; worker: boolean; quiet?: boolean }) =>
      runCommand(async () => {
        const { startGateway } = await import('../../gateway/index.ts');
        const gw = await startGateway({
          dataDir: process.env.DATABASE_URL ? undefined : o.data,
          port: o.port,
          host: o.host,
          config: {
            maxInFlight: o.maxInFlight,
            worker: o.worker,
            logger: !o.quiet,
            // SSK_GATEWAY_MODULES=gateway,healthbook mounts only those modules (default: all).
            modules: process.env.SSK_GATEWAY_MODULES ? process.env.SSK_GATEWAY_MODULES.split(',').map((s) => s.trim()).filter(Boolean) : undefined,
          },
        });
        process.stderr.write(`cổng tiếp nhận đang chạy / gateway listening on ${gw.url} (${gw.db.kind})\n`);
        if (process.send) process.send({ ready: true, url: gw.url });
        await new Promise<void>((resolve) => {
          const stop = () => {
            process.stderr.write('đang dừng / shutting down (finishing in-flight requests)\n');
            gw.close().then(resolve, (e) => {
              process.stderr.write(`shutdown error: ${e instanceof Error ? e.message : e}\n`);
              resolve();
            });
          };
          process.once('SIGTERM', stop);
          process.once('SIGINT', stop);
        });
      }),
    );
}
