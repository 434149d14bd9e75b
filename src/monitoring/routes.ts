// HTTP routes of monitoring under /api/v1/monitoring (health officers and operators). Thin:
// authenticate, read the query, call the domain function. An officer bound to a province sees
// only that province. The plugin also starts the periodic job (when this process runs the
// worker): recompute dirty and recent aggregate cells, and make last month's reports.
import type { FastifyInstance } from 'fastify';
import type { Db } from '../store/index.ts';
import { requireActor, type Actor } from '../access/index.ts';
import { ProblemError, redact } from '../errors/index.ts';
import { MON } from './errors.ts';
import { dashboard, dashboardCharts } from './dashboard.ts';
import { laggards } from './laggards.ts';
import { renderChart } from './charts.ts';
import { generateReport, getReport, listReports, ensureMonthlyReports, REPORT_FORMATS, type ReportFormat, type ReportScope } from './report.ts';
import { refreshAggregates, sweep } from './aggregate.ts';
import { getSettings, setSettings } from './settings.ts';
import { resolvePeriod, type Area } from './period.ts';

interface Ctx {
  db: Db;
  config?: { operatorToken?: string; worker?: boolean };
}

const ROLES = ['officer', 'operator'];

/** The area an actor asked for, bounded by the officer's province. */
function areaFor(a: Actor, q: Record<string, string | undefined>): Area {
  const area: Area = { province: q.province || undefined, district: q.district || undefined, macskcb: q.macskcb || undefined };
  const own = a.role === 'officer' && a.province && a.province !== 'nation' ? a.province : null;
  if (own) {
    if (area.province && area.province !== own) throw ProblemError.of(MON.MON_FORBIDDEN, 'province');
    if (area.macskcb && !area.macskcb.startsWith(own)) throw ProblemError.of(MON.MON_FORBIDDEN, 'macskcb');
    if (!area.macskcb) area.province = own;
  }
  return area;
}

function periodOf(q: Record<string, string | undefined>) {
  if (q.month) return { month: q.month };
  if (q.from || q.to) return { from: q.from, to: q.to };
  // default: the current month so far
  const today = new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 10);
  return { from: `${today.slice(0, 7)}-01`, to: today };
}

export default async function routes(app: FastifyInstance, ctx: Ctx) {
  const db = ctx.db;
  const who = (req: { headers: Record<string, any> }, roles: string[] = ROLES) => requireActor(db, req.headers.authorization, roles, { operatorToken: ctx.config?.operatorToken });
  const Q = (req: { query: unknown }) => (req.query ?? {}) as Record<string, string | undefined>;

  app.get('/api/v1/monitoring/dashboard', async (req) => {
    const a = await who(req);
    const q = Q(req);
    return dashboard(db, { area: areaFor(a, q), period: periodOf(q), granularity: q.granularity === 'month' ? 'month' : q.granularity === 'day' ? 'day' : undefined });
  });
  app.get('/api/v1/monitoring/kpis', async (req) => {
    const a = await who(req);
    const q = Q(req);
    const d = await dashboard(db, { area: areaFor(a, q), period: periodOf(q), laggards: false });
    return { area: d.area, period: d.period, kpis: d.kpis, latency: d.latency, topReasons: d.topReasons };
  });
  app.get('/api/v1/monitoring/laggards', async (req) => {
    const a = await who(req);
    const q = Q(req);
    return { laggards: await laggards(db, areaFor(a, q), resolvePeriod(periodOf(q))) };
  });
  app.get<{ Params: { name: string } }>('/api/v1/monitoring/charts/:name', async (req, reply) => {
    const a = await who(req);
    const q = Q(req);
    const d = await dashboard(db, { area: areaFor(a, q), period: periodOf(q), laggards: false });
    const charts = dashboardCharts(d) as Record<string, Parameters<typeof renderChart>[0]>;
    const spec = charts[req.params.name.replace(/\.svg$/, '')];
    if (!spec) throw ProblemError.of(MON.MON_BAD_CHART, 'name');
    return reply.type('image/svg+xml; charset=utf-8').send(renderChart(spec));
  });

  app.get('/api/v1/monitoring/reports', async (req) => {
    const a = await who(req);
    const q = Q(req);
    const own = a.role === 'officer' && a.province && a.province !== 'nation' ? a.province : null;
    const rows = await listReports(db, { scope: q.scope as ReportScope | undefined, code: own && !q.code ? undefined : q.code, month: q.month });
    return { reports: own ? rows.filter((r) => (r.scope === 'province' && r.code === own) || (r.scope === 'facility' && r.code.startsWith(own))) : rows };
  });
  app.post('/api/v1/monitoring/reports', async (req, reply) => {
    const a = await who(req);
    const b = (req.body ?? {}) as Record<string, unknown>;
    const scope = String(b.scope ?? 'nation') as ReportScope;
    const code = String(b.code ?? '');
    if (a.role === 'officer' && a.province && a.province !== 'nation' && (scope === 'nation' || !code.startsWith(a.province))) throw ProblemError.of(MON.MON_FORBIDDEN, 'scope');
    const formats = (Array.isArray(b.formats) ? b.formats : [b.format ?? 'xlsx']).map(String) as ReportFormat[];
    if (!formats.length || formats.length > 3 || formats.some((f) => !REPORT_FORMATS.includes(f))) throw ProblemError.of(MON.MON_BAD_FORMAT, 'format');
    const month = String(b.month ?? '');
    resolvePeriod({ month });
    if (b.refresh === true) await refreshAggregates(db, resolvePeriod({ month }));
    const out = [];
    for (const format of formats) out.push(await generateReport(db, { scope, code, month, format }));
    return reply.status(201).send({ reports: out });
  });
  const send = async (a: Actor, reply: any, key: Parameters<typeof getReport>[1]) => {
    const r = await getReport(db, key);
    const own = a.role === 'officer' && a.province && a.province !== 'nation' ? a.province : null;
    if (own && (r.row.scope === 'nation' || !r.row.code.startsWith(own))) throw ProblemError.of(MON.MON_FORBIDDEN, 'report');
    return reply.type(r.contentType).header('content-disposition', `attachment; filename="${r.filename}"`).header('x-content-sha256', r.row.sha256).send(r.bytes);
  };
  app.get('/api/v1/monitoring/reports/latest', async (req, reply) => {
    const a = await who(req);
    const q = Q(req);
    return send(a, reply, { scope: (q.scope ?? 'nation') as ReportScope, code: q.code ?? '', month: q.month ?? '', format: (q.format ?? 'xlsx') as ReportFormat });
  });
  app.get<{ Params: { id: string } }>('/api/v1/monitoring/reports/:id', async (req, reply) => {
    const a = await who(req);
    const id = Number(req.params.id);
    if (!Number.isSafeInteger(id) || id < 1) throw ProblemError.of(MON.MON_REPORT_NOT_FOUND, 'id');
    return send(a, reply, { id });
  });

  app.get('/api/v1/monitoring/settings', async (req) => {
    await who(req);
    return getSettings(db);
  });
  app.put('/api/v1/monitoring/settings', async (req) => {
    await who(req, ['operator']);
    return setSettings(db, (req.body ?? {}) as any);
  });
  app.post('/api/v1/monitoring/refresh', async (req) => {
    await who(req, ['operator']);
    const b = (req.body ?? {}) as Record<string, string>;
    return refreshAggregates(db, resolvePeriod(b.month ? { month: b.month } : { from: b.from, to: b.to }));
  });

  // The periodic job: only in a process that runs the outbox worker; first run after a delay.
  const every = Number(process.env.SSK_MONITORING_SWEEP_MS ?? 300_000);
  if (ctx.config?.worker !== false && every > 0) {
    let running = false;
    let timer: NodeJS.Timeout | undefined;
    const tick = async () => {
      if (running) return;
      running = true;
      try {
        await sweep(db);
        await ensureMonthlyReports(db);
      } catch (e) {
        app.log.error({ msg: redact(e instanceof Error ? e.message : String(e)).slice(0, 300) }, 'monitoring job failed');
      } finally {
        running = false;
      }
    };
    app.addHook('onReady', async () => {
      timer = setInterval(tick, every);
      timer.unref();
    });
    app.addHook('onClose', async () => {
      if (timer) clearInterval(timer);
      while (running) await new Promise((r) => setTimeout(r, 20));
    });
  }
}
