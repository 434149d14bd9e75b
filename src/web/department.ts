// Health-department dashboard (/so-y-te): the monitoring module's metrics and SVG charts for an
// area and a period, the lagging facilities with the reason for each, and monthly reports.
import type { FastifyInstance } from 'fastify';
import { ProblemError } from '../errors/index.ts';
import { alertBox, csrfField, page, problemList, unavailable, type NavItem } from './layout.ts';
import { loginStaff } from '../access/identity/index.ts';
import { chartTable, dashboard, dashboardCharts, generateReport, getReport, laggards, listReports, monthPeriod, renderChart, type ReportFormat } from '../monitoring/index.ts';
import { WEB } from './errors.ts';
import { html, raw, type SafeHtml } from './html.ts';
import { fmtDateTime, tr } from './i18n.ts';
import { field, pageRoute, type WebDeps } from './kit.ts';
import type { PageCtx, WebPrincipal } from './context.ts';
import { signIn } from './auth.ts';

export const DEPT_NAV: NavItem[] = [
  { href: '/so-y-te', vi: 'Bảng điều khiển', en: 'Dashboard' },
  { href: '/so-y-te/cham-gui', vi: 'Cơ sở chậm gửi', en: 'Lagging facilities' },
  { href: '/so-y-te/bao-cao', vi: 'Báo cáo tháng', en: 'Monthly reports' },
];

const ROLES = ['officer', 'operator'];

export interface Filter {
  province?: string;
  district?: string;
  from: Date;
  to: Date;
  month: string;
}

function monthBounds(month: string): { from: Date; to: Date } | null {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  if (!m) return null;
  const y = +m[1], mo = +m[2];
  if (mo < 1 || mo > 12) return null;
  const from = new Date(`${m[1]}-${m[2]}-01T00:00:00+07:00`);
  const next = mo === 12 ? `${y + 1}-01` : `${y}-${String(mo + 1).padStart(2, '0')}`;
  return { from, to: new Date(`${next}-01T00:00:00+07:00`) };
}

function currentMonth(): string {
  return new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 7);
}

/** The filter from the query string: area codes and a month (no personal data). */
export function readFilter(q: Record<string, unknown>, user: WebPrincipal): Filter {
  const month = typeof q.month === 'string' && /^\d{4}-\d{2}$/.test(q.month) ? q.month : currentMonth();
  const b = monthBounds(month);
  if (!b) throw ProblemError.of(WEB.WEB_FIELD_INVALID, 'query.month', { field: 'month', rule: 'yyyy-MM', detail: 'yyyy-MM' });
  const prov = typeof q.province === 'string' && /^\d{2}$/.test(q.province) ? q.province : undefined;
  const district = typeof q.district === 'string' && /^\d{3}$/.test(q.district) ? q.district : undefined;
  // An officer of a province sees only that province.
  const province = user.role === 'officer' && user.province && user.province !== 'VN' ? String(user.province) : prov;
  return { province, district, from: b.from, to: b.to, month };
}

function filterForm(ctx: PageCtx, f: Filter, action: string): SafeHtml {
  const L = ctx.lang;
  return html`<form method="get" action="${action}" class="card form-grid">
<div><label for="month">${tr(L, 'Tháng', 'Month')}</label><input id="month" name="month" type="month" value="${f.month}" required></div>
<div><label for="province">${tr(L, 'Mã tỉnh (2 số)', 'Province code (2 digits)')}</label><input id="province" name="province" inputmode="numeric" pattern="[0-9]{2}" maxlength="2" value="${f.province ?? ''}"${ctx.principal?.role === 'officer' && ctx.principal.province && ctx.principal.province !== 'VN' ? html` readonly` : ''}></div>
<div><label for="district">${tr(L, 'Mã huyện (3 số)', 'District code (3 digits)')}</label><input id="district" name="district" inputmode="numeric" pattern="[0-9]{3}" maxlength="3" value="${f.district ?? ''}"></div>
<p><button type="submit">${tr(L, 'Xem', 'Show')}</button></p></form>`;
}

interface MonKpi {
  key: string;
  vi: string;
  en: string;
  expected: number | null;
  received: number;
  rate: number | null;
  target?: number;
  met?: boolean;
}

interface MonLaggard {
  macskcb: string;
  name: string;
  province: string;
  district: string;
  reasons: { code: string; vi: string; en: string }[];
}

interface MonDashboard {
  kpis: MonKpi[];
  laggards: MonLaggard[];
}

function laggardTable(ctx: PageCtx, rows: MonLaggard[]): SafeHtml {
  const L = ctx.lang;
  if (!rows.length) return html`<p>${tr(L, 'Không có cơ sở chậm gửi.', 'No lagging facility.')}</p>`;
  return html`<div class="table-wrap"><table><thead><tr><th scope="col">${tr(L, 'Cơ sở', 'Facility')}</th><th scope="col">${tr(L, 'Địa bàn', 'Area')}</th><th scope="col">${tr(L, 'Lý do', 'Reason')}</th></tr></thead><tbody>${rows.map(
    (r) => html`<tr><td>${r.name} <code>${r.macskcb}</code></td><td>${r.province}${r.district ? ` / ${r.district}` : ''}</td><td><ul>${r.reasons.map((x) => html`<li>${tr(L, x.vi, x.en)}</li>`)}</ul></td></tr>`,
  )}</tbody></table></div>`;
}

export async function registerDepartment(app: FastifyInstance, deps: WebDeps): Promise<void> {
  const { db } = deps;
  const area = 'department' as const;
  const P = (ctx: PageCtx, title: [string, string], body: SafeHtml, notice?: SafeHtml) => page(ctx, { title, area, nav: DEPT_NAV, body, notice });

  const loginPage = (ctx: PageCtx, notice?: SafeHtml) => {
    const L = ctx.lang;
    return page(ctx, {
      title: ['Đăng nhập cán bộ Sở Y tế', 'Health-department sign-in'],
      area,
      notice,
      body: html`<form method="post" action="/so-y-te/dang-nhap" class="card">${csrfField(ctx)}
<label for="username">${tr(L, 'Tên đăng nhập', 'User name')}</label><input id="username" name="username" autocomplete="username" required maxlength="200">
<label for="password">${tr(L, 'Mật khẩu', 'Password')}</label><input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1000">
<p><button type="submit">${tr(L, 'Đăng nhập', 'Sign in')}</button></p></form>`,
    });
  };
  pageRoute(app, deps, 'GET', '/so-y-te/dang-nhap', { area }, async (_req, _reply, ctx) => loginPage(ctx));
  pageRoute(app, deps, 'POST', '/so-y-te/dang-nhap', { area }, async (req, reply, ctx) => {
    const principal = (await loginStaff(db, field(req.body, 'username', 200), field(req.body, 'password', 1000))) as WebPrincipal | null;
    if (!principal || !ROLES.includes(principal.role)) {
      return loginPage(ctx, alertBox('error', tr(ctx.lang, 'Tên đăng nhập hoặc mật khẩu không đúng', 'Wrong user name or password')));
    }
    await signIn(db, reply, ctx, principal);
    return reply.redirect('/so-y-te', 303);
  });

  pageRoute(app, deps, 'GET', '/so-y-te', { area, roles: ROLES }, async (req, _reply, ctx) => {
    const L = ctx.lang;
    const f = readFilter(req.query as Record<string, unknown>, ctx.user);
    const d = await dashboard(db, { area: { province: f.province, district: f.district }, period: { month: f.month }, laggardLimit: 10 });
    const figures: SafeHtml[] = [];
    for (const [key, spec] of Object.entries(dashboardCharts(d))) {
      if (!spec.labels.length) continue;
      figures.push(html`<figure class="chart" data-chart="${key}">${raw(renderChart(spec))}<details><summary>${tr(L, 'Bảng số liệu', 'Data table')}: ${spec.title}</summary><div class="table-wrap">${raw(chartTable(spec))}</div></details></figure>`);
    }
    const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);
    return P(ctx, ['Giám sát gửi dữ liệu', 'Data-flow monitoring'], html`${filterForm(ctx, f, '/so-y-te')}
<h2>${tr(L, 'Chỉ tiêu', 'Indicators')}</h2>
<div class="table-wrap"><table><thead><tr><th scope="col">${tr(L, 'Chỉ tiêu', 'Indicator')}</th><th scope="col" class="num">${tr(L, 'Dự kiến', 'Expected')}</th><th scope="col" class="num">${tr(L, 'Nhận được', 'Received')}</th><th scope="col" class="num">${tr(L, 'Tỷ lệ', 'Rate')}</th><th scope="col" class="num">${tr(L, 'Mục tiêu', 'Target')}</th></tr></thead>
<tbody>${d.kpis.map((k) => html`<tr><th scope="row">${tr(L, k.vi, k.en)}</th><td class="num">${k.expected ?? '—'}</td><td class="num">${k.received}</td><td class="num">${pct(k.rate)}${k.met === false ? html` <span class="status-rejected">${tr(L, '(chưa đạt)', '(not met)')}</span>` : ''}</td><td class="num">${k.target === undefined ? '' : pct(k.target)}</td></tr>`)}</tbody></table></div>
<h2>${tr(L, 'Biểu đồ', 'Charts')}</h2>
${figures.length ? figures : html`<p>${tr(L, 'Chưa có dữ liệu trong kỳ.', 'No data in this period.')}</p>`}
<h2>${tr(L, 'Cơ sở chậm gửi', 'Lagging facilities')}</h2>
${laggardTable(ctx, d.laggards)}
<p><a href="/so-y-te/cham-gui?month=${f.month}${f.province ? `&province=${f.province}` : ''}">${tr(L, 'Xem tất cả cơ sở chậm gửi', 'All lagging facilities')}</a></p>`);
  });

  pageRoute(app, deps, 'GET', '/so-y-te/cham-gui', { area, roles: ROLES }, async (req, _reply, ctx) => {
    const f = readFilter(req.query as Record<string, unknown>, ctx.user);
    const rows = await laggards(db, { province: f.province, district: f.district }, monthPeriod(f.month), { limit: 500 });
    return P(ctx, ['Cơ sở chậm gửi dữ liệu', 'Lagging facilities'], html`${filterForm(ctx, f, '/so-y-te/cham-gui')}${laggardTable(ctx, rows)}`);
  });

  pageRoute(app, deps, 'GET', '/so-y-te/bao-cao', { area, roles: ROLES }, async (req, _reply, ctx) => {
    const L = ctx.lang;
    const f = readFilter(req.query as Record<string, unknown>, ctx.user);
    const reports = await listReports(db, f.province ? { scope: 'province', code: f.province, limit: 100 } : { limit: 100 });
    return P(ctx, ['Báo cáo tháng', 'Monthly reports'], html`<p>${tr(L, 'Báo cáo tháng trước được lập tự động; có thể lập lại bất cứ lúc nào.', 'Last month’s reports are made automatically; you can make one at any time.')}</p>
<form method="post" action="/so-y-te/bao-cao" class="card form-grid">${csrfField(ctx)}
<div><label for="rmonth">${tr(L, 'Tháng', 'Month')}</label><input id="rmonth" name="month" type="month" value="${f.month}" required></div>
<div><label for="rformat">${tr(L, 'Định dạng', 'Format')}</label><select id="rformat" name="format"><option value="xlsx">XLSX</option><option value="csv">CSV</option><option value="pdf">PDF</option></select></div>
<p><button type="submit">${tr(L, 'Lập báo cáo', 'Make the report')}</button></p></form>
${reports.length ? html`<div class="table-wrap"><table><thead><tr><th scope="col">${tr(L, 'Tháng', 'Month')}</th><th scope="col">${tr(L, 'Phạm vi', 'Scope')}</th><th scope="col">${tr(L, 'Lập lúc', 'Made')}</th><th scope="col">${tr(L, 'Tải về', 'Download')}</th></tr></thead><tbody>${reports.map((r) => html`<tr><td>${r.month}</td><td>${r.scope === 'nation' ? tr(L, 'Toàn quốc', 'Nation') : r.scope === 'province' ? html`${tr(L, 'Tỉnh', 'Province')} ${r.code}` : html`${tr(L, 'Cơ sở', 'Facility')} ${r.code}`}</td><td>${fmtDateTime(L, r.generatedAt)}${r.trigger === 'scheduled' ? html` <span class="meta">(${tr(L, 'tự động', 'scheduled')})</span>` : ''}</td><td><a href="/so-y-te/bao-cao/${r.id}" download>${r.format.toUpperCase()} (${Math.ceil(r.size / 1024)} KB)</a></td></tr>`)}</tbody></table></div>` : html`<p>${tr(L, 'Chưa có báo cáo.', 'No reports yet.')}</p>`}`);
  });

  pageRoute(app, deps, 'POST', '/so-y-te/bao-cao', { area, roles: ROLES }, async (req, reply, ctx) => {
    const f = readFilter({ month: field(req.body, 'month', 7), province: ctx.user.province }, ctx.user);
    const format = field(req.body, 'format', 4);
    if (!['xlsx', 'csv', 'pdf'].includes(format)) throw ProblemError.of(WEB.WEB_FIELD_INVALID, 'body.format', { field: 'format', rule: 'xlsx|csv|pdf', detail: 'xlsx, csv, pdf' });
    try {
      await generateReport(db, { scope: f.province ? 'province' : 'nation', code: f.province, month: f.month, format: format as ReportFormat, trigger: 'on_demand', refresh: true });
    } catch (e) {
      if (e instanceof ProblemError) {
        return P(ctx, ['Báo cáo tháng', 'Monthly reports'], problemList(ctx, e.problems));
      }
      throw e;
    }
    return reply.redirect(`/so-y-te/bao-cao?month=${f.month}`, 303);
  });

  pageRoute(app, deps, 'GET', '/so-y-te/bao-cao/:id', { area, roles: ROLES }, async (req, reply, ctx) => {
    const id = Number((req.params as { id: string }).id);
    if (!Number.isSafeInteger(id) || id < 1) throw ProblemError.of(WEB.WEB_NOT_FOUND, 'id');
    const r = await getReport(db, { id });
    if (ctx.user.role === 'officer' && ctx.user.province && ctx.user.province !== 'VN' && !(r.row.scope === 'province' && r.row.code === ctx.user.province)) throw ProblemError.of(WEB.WEB_FORBIDDEN, 'id', { role: 'officer of the report area' });
    return reply.header('content-disposition', `attachment; filename="${r.filename.replace(/[^\w.-]/g, '_')}"`).type(r.contentType).send(r.bytes);
  });
}
