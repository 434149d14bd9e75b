// `ssk connector init|run|status|reconcile|resend`: the facility-side agent. status/reconcile/
// resend talk to a running connector over its local HTTP port, else open its database directly.
import type { Command } from 'commander';
import { runCommand, EXIT } from '../command.ts';

interface Base {
  config: string;
  json?: boolean;
}

async function load(file: string) {
  const c = await import('../../connector/index.ts');
  return { c, cfg: c.loadConnectorConfig(file) };
}

/** The running connector's local URL, or null when none answers. */
function auth(cfg: { http: { token?: string } }): Record<string, string> {
  return cfg.http.token ? { authorization: `Bearer ${cfg.http.token}` } : {};
}

async function running(cfg: { http: { host: string; port: number } }): Promise<string | null> {
  if (!cfg.http.port) return null;
  const url = `http://${cfg.http.host.includes(':') ? `[${cfg.http.host}]` : cfg.http.host}:${cfg.http.port}`;
  try {
    const r = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
    return r.ok ? url : null;
  } catch {
    return null;
  }
}

async function getJson(url: string, init?: RequestInit): Promise<any> {
  const r = await fetch(url, init);
  const body: any = await r.json();
  if (!r.ok) {
    const { ProblemError } = await import('../../errors/index.ts');
    throw new ProblemError(body.problems ?? []);
  }
  return body;
}

export function register(program: Command) {
  const cmd = program.command('connector').description('Connector tại cơ sở: nhận, kiểm tra, ký, gửi hồ sơ theo thời gian thực / facility connector: intake, validate, sign, send in real time');
  const cfgOpt = ['-c, --config <file>', 'connector.json', 'connector.json'] as const;

  cmd
    .command('init')
    .description('Tạo tệp cấu hình connector.json / write a connector.json template')
    .option(...cfgOpt)
    .requiredOption('--macskcb <code>', 'facility code (MACSKCB)')
    .option('--url <url>', 'gateway URL', 'http://127.0.0.1:8130')
    .option('--token <token>', 'facility API token (sosuckhoe gateway)')
    .option('--username <u>', 'national gateway username (national target)')
    .option('--password <p>', 'national gateway password')
    .option('--key <file>', 'facility private key (PEM)')
    .option('--cert <file>', 'facility certificate (PEM)')
    .action((o: Base & { macskcb: string; url: string; token?: string; username?: string; password?: string; key?: string; cert?: string }) =>
      runCommand(async () => {
        const { writeConfigTemplate } = await import('../../connector/index.ts');
        const made = writeConfigTemplate(o.config, { macskcb: o.macskcb, url: o.url, token: o.token, username: o.username, password: o.password, keyFile: o.key, certFile: o.cert });
        process.stdout.write(made ? `Đã tạo / written ${o.config}\n` : `Đã có sẵn, không ghi đè / exists, not overwritten: ${o.config}\n`);
        return made ? EXIT.OK : EXIT.INVALID;
      }),
    );

  cmd
    .command('run')
    .description('Chạy connector: theo dõi thư mục, nhận qua HTTP, gửi ngay / run: watch the folder, HTTP intake, send at once')
    .option(...cfgOpt)
    .option('--json', 'progress as JSON lines')
    .action((o: Base) =>
      runCommand(async () => {
        const { c, cfg } = await load(o.config);
        const out = (e: { kind: string; level: string; text: string }) =>
          process.stdout.write(o.json ? JSON.stringify({ at: new Date().toISOString(), ...e }) + '\n' : `${new Date().toLocaleTimeString('vi-VN')} ${e.level === 'error' ? 'LỖI' : e.level === 'warn' ? 'CHÚ Ý' : '   '} ${e.text}\n`);
        const conn = await c.startConnector(cfg, { onEvent: out });
        out({ kind: 'start', level: 'info', text: `Connector ${cfg.macskcb} đang chạy / running — thư mục / folder ${conn.folders.inbox}, trang / page ${conn.url}` });
        await new Promise<void>((res) => {
          const stop = () => res();
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
        await conn.close();
        out({ kind: 'stop', level: 'info', text: 'Đã dừng / stopped' });
      }),
    );

  cmd
    .command('status')
    .description('Trạng thái hàng đợi, lỗi, thời gian gửi hôm nay / queue, errors, today’s timeliness')
    .option(...cfgOpt)
    .option('--json', 'JSON for machines')
    .action((o: Base) =>
      runCommand(async () => {
        const { c, cfg } = await load(o.config);
        const url = await running(cfg);
        let s;
        if (url) s = await getJson(`${url}/api/v1/status`);
        else {
          const conn = await c.startConnector(cfg, { passive: true });
          try {
            s = await conn.status();
          } finally {
            await conn.close();
          }
        }
        process.stdout.write(o.json ? JSON.stringify(s, null, 2) + '\n' : c.formatStatus(s));
        return s.items.failed || s.packages.held ? EXIT.INVALID : EXIT.OK;
      }),
    );

  cmd
    .command('reconcile')
    .description('Đối soát với cổng tiếp nhận / reconcile with the gateway (GET /api/v1/reconciliation)')
    .option(...cfgOpt)
    .option('--from <date>', 'start (ISO date or date-time; default today)')
    .option('--to <date>', 'end, exclusive')
    .option('--json', 'JSON for machines')
    .action((o: Base & { from?: string; to?: string }) =>
      runCommand(async () => {
        const { c, cfg } = await load(o.config);
        const url = await running(cfg);
        let r;
        if (url) {
          const q = new URLSearchParams();
          if (o.from) q.set('from', o.from);
          if (o.to) q.set('to', o.to);
          r = await getJson(`${url}/api/v1/reconcile?${q}`);
        } else {
          const { from, to } = c.period(o.from, o.to);
          const conn = await c.startConnector(cfg, { passive: true });
          try {
            r = await conn.reconcile(from, to);
          } finally {
            await conn.close();
          }
        }
        process.stdout.write(o.json ? JSON.stringify(r, null, 2) + '\n' : c.formatReconciliation(r));
        return r.ok ? EXIT.OK : EXIT.INVALID;
      }),
    );

  cmd
    .command('resend')
    .description('Gửi lại: hồ sơ lỗi (cùng gói đã ký) hoặc bản thay thế từ tệp mới / resend failed work, or a replacement from a re-exported file')
    .argument('[maLk]', 'MA_LK of one dossier (default: every failed one)')
    .option(...cfgOpt)
    .option('--file <xml>', 're-exported package: sent as a replacement (re-signed, linked to the version it replaces)')
    .option('--json', 'JSON for machines')
    .action((maLk: string | undefined, o: Base & { file?: string }) =>
      runCommand(async () => {
        const { c, cfg } = await load(o.config);
        const url = await running(cfg);
        let result: any;
        if (o.file) {
          const { readFileSync } = await import('node:fs');
          const { basename } = await import('node:path');
          const bytes = readFileSync(o.file);
          if (url) result = await fetch(`${url}/api/v1/intake?replace=1`, { method: 'POST', headers: { 'content-type': 'application/xml', 'x-file-name': basename(o.file), ...auth(cfg) }, body: bytes }).then((r) => r.json());
          else {
            const conn = await c.startConnector(cfg, { passive: true });
            try {
              result = await conn.submit(bytes, basename(o.file), { replace: true });
            } finally {
              await conn.close();
            }
          }
          if (!o.json) process.stdout.write(c.formatReport(result));
        } else {
          if (url) result = await getJson(`${url}/api/v1/resend${maLk ? `?maLk=${encodeURIComponent(maLk)}` : ''}`, { method: 'POST', headers: auth(cfg) });
          else {
            const conn = await c.startConnector(cfg, { passive: true });
            try {
              result = { requeued: await conn.resendFailed(maLk) };
            } finally {
              await conn.close();
            }
          }
          if (!o.json) process.stdout.write(`Đưa lại vào hàng đợi / back in the queue: ${result.requeued}${url ? '' : ' (sẽ gửi khi connector chạy / sent when the connector runs)'}\n`);
        }
        if (o.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
        return EXIT.OK;
      }),
    );
}
