// Citizen pages (/cong-dan): sign in through OpenID Connect; the book as a timeline; each
// visit's diagnoses, medicines and results; referrals and appointments with their QR codes;
// consents (grant by QR or code, list, revoke); who read my book; download as PDF and FHIR.
import type { FastifyInstance } from 'fastify';
import QRCode from 'qrcode';
import { ProblemError } from '../errors/index.ts';
import { alertBox, csrfField, page, problemList, unavailable, type NavItem } from './layout.ts';
import { actorFromPrincipal, auditFor, grantConsent, listConsents, revokeConsent, type Actor, type Scope } from '../access/index.ts';
import { exportFhir, getBook, KIND_LABELS, qrFor } from '../healthbook/index.ts';
import { WEB } from './errors.ts';
import { html, raw, type SafeHtml } from './html.ts';
import { fmtDateTime, fmtStdDate, tr, type Lang } from './i18n.ts';
import { field, pageRoute, type WebDeps } from './kit.ts';
import type { PageCtx, WebPrincipal } from './context.ts';
import { bookPdf } from './pdf.ts';

export const CITIZEN_NAV: NavItem[] = [
  { href: '/cong-dan', vi: 'Dòng thời gian', en: 'Timeline' },
  { href: '/cong-dan/giay-hen', vi: 'Chuyển tuyến & hẹn khám', en: 'Referrals & appointments' },
  { href: '/cong-dan/dong-y', vi: 'Chia sẻ sổ', en: 'Sharing' },
  { href: '/cong-dan/ai-da-xem', vi: 'Ai đã xem sổ', en: 'Who read my book' },
  { href: '/cong-dan/tai-ve', vi: 'Tải về', en: 'Download' },
];

const ROLES = ['citizen'];

export interface Entry {
  id: number;
  kind: string;
  sourceTable?: string;
  macskcb: string;
  maLk: string;
  version?: number;
  occurredAt: Date | string | null;
  title: string;
  data: Record<string, any>;
  current?: boolean;
}

interface BookData {
  personalId: string;
  person: { fullName?: string; birth?: string; sex?: string } | null;
  entries: Entry[];
  truncated?: boolean;
}

export function kindLabel(L: Lang, kind: string): string {
  const l = (KIND_LABELS as Record<string, { vi: string; en: string }>)[kind];
  return l ? tr(L, l.vi, l.en) : kind;
}

export function actorOf(user: WebPrincipal): Actor {
  return actorFromPrincipal(user);
}

async function readBook(deps: WebDeps, user: WebPrincipal, opts: Record<string, unknown> = {}): Promise<BookData> {
  return (await getBook(deps.db, actorOf(user), user.sub, { limit: 1000, ...opts })) as unknown as BookData;
}

/** Entries grouped by visit (facility + MA_LK), newest visit first. */
function groupVisits(entries: Entry[]): { key: string; visit: Entry | undefined; items: Entry[] }[] {
  const map = new Map<string, { key: string; visit: Entry | undefined; items: Entry[] }>();
  for (const e of entries) {
    if (e.kind === 'admin') continue;
    const key = `${e.macskcb}/${e.maLk}`;
    let g = map.get(key);
    if (!g) map.set(key, (g = { key, visit: undefined, items: [] }));
    if (e.kind === 'visit') g.visit = e;
    else g.items.push(e);
  }
  const t = (x: Entry | undefined) => (x?.occurredAt ? new Date(x.occurredAt).getTime() : 0);
  return [...map.values()].sort((a, b) => t(b.visit ?? b.items[0]) - t(a.visit ?? a.items[0]));
}

async function timeline(ctx: PageCtx, book: BookData): Promise<SafeHtml> {
  const L = ctx.lang;
  const groups = groupVisits(book.entries);
  if (!groups.length) return html`<p>${tr(L, 'Sổ chưa có lượt khám nào.', 'No visits in your book yet.')}</p>`;
  const cards: SafeHtml[] = [];
  for (const g of groups) {
    const v = g.visit;
    const counts = new Map<string, number>();
    for (const i of g.items) counts.set(i.kind, (counts.get(i.kind) ?? 0) + 1);
    const summary: string[] = [];
    for (const [k, n] of counts) summary.push(`${kindLabel(L, k)}: ${n}`);
    const first = v ?? g.items[0];
    cards.push(html`<li class="card"><h2 class="h3">${v ? v.title : kindLabel(L, first.kind)}</h2>
<p class="meta">${fmtDateTime(L, first.occurredAt)} · <code>${first.macskcb}</code>${v?.data?.CHAN_DOAN_RV ? html` · ${String(v.data.CHAN_DOAN_RV)}` : ''}</p>
<p class="meta">${summary.join(' · ')}</p>
<form method="post" action="/cong-dan/luot-kham" class="inline">${csrfField(ctx)}<input type="hidden" name="entryId" value="${first.id}"><button type="submit" class="secondary">${tr(L, 'Xem chi tiết', 'Details')}</button></form></li>`);
  }
  return html`<ol class="cards" aria-label="${tr(L, 'Các lượt khám, mới nhất trước', 'Visits, newest first')}">${cards}</ol>`;
}

function dataRows(data: Record<string, any>, fields?: string[]): SafeHtml {
  const keys = (fields ?? Object.keys(data)).filter((k) => data[k] !== '' && data[k] !== null && data[k] !== undefined && typeof data[k] !== 'object');
  return html`<dl class="meta">${keys.slice(0, 40).map((k) => html`<dt>${k}</dt><dd>${/^NGAY|NGAY_/.test(k) ? fmtStdDate(String(data[k])) : String(data[k])}</dd>`)}</dl>`;
}

async function qrSvg(text: string): Promise<SafeHtml> {
  const svg = await QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return raw(svg);
}

export async function registerCitizen(app: FastifyInstance, deps: WebDeps): Promise<void> {
  const { db } = deps;
  const area = 'citizen' as const;
  const P = (ctx: PageCtx, title: [string, string], body: SafeHtml, notice?: SafeHtml) => page(ctx, { title, area, nav: CITIZEN_NAV, body, notice });

  pageRoute(app, deps, 'GET', '/cong-dan/dang-nhap', { area }, async (_req, _reply, ctx) => {
    const L = ctx.lang;
    return page(ctx, {
      title: ['Đăng nhập', 'Sign in'],
      area,
      body: html`<div class="card"><p>${tr(L, 'Đăng nhập bằng tài khoản định danh điện tử (VNeID hoặc nhà cung cấp OpenID Connect đã cấu hình).', 'Sign in with your electronic identity (VNeID or the configured OpenID Connect provider).')}</p>
<p><a class="button" href="/auth/citizen/login?return=/cong-dan">${tr(L, 'Đăng nhập bằng định danh điện tử', 'Sign in with electronic identity')}</a></p></div>`,
    });
  });

  pageRoute(app, deps, 'GET', '/cong-dan', { area, roles: ROLES }, async (_req, _reply, ctx) => {
    const L = ctx.lang;
    const book = await readBook(deps, ctx.user);
    const p = book.person;
    return P(ctx, ['Sổ sức khỏe của tôi', 'My health book'], html`${p ? html`<p class="card"><strong>${p.fullName ?? ''}</strong>${p.birth ? html` · ${tr(L, 'Ngày sinh', 'Born')} ${fmtStdDate(p.birth.slice(0, 8))}` : ''}</p>` : ''}
${await timeline(ctx, book)}`);
  });

  pageRoute(app, deps, 'POST', '/cong-dan/luot-kham', { area, roles: ROLES }, async (req, _reply, ctx) => {
    const L = ctx.lang;
    const id = Number(field(req.body, 'entryId', 20));
    if (!Number.isSafeInteger(id) || id < 1) throw ProblemError.of(WEB.WEB_FIELD_INVALID, 'body.entryId', { field: 'entryId', rule: 'integer', detail: 'entryId' });
    const book = await readBook(deps, ctx.user, { action: 'read-visit' });
    const one = book.entries.find((e) => e.id === id);
    if (!one) throw ProblemError.of(WEB.WEB_NOT_FOUND, 'body.entryId');
    const items = book.entries.filter((e) => e.macskcb === one.macskcb && e.maLk === one.maLk);
    const sections: SafeHtml[] = [];
    const order = ['visit', 'diagnosis', 'medication', 'lab_result', 'imaging_result', 'service', 'clinical_note', 'discharge', 'summary', 'referral', 'appointment'];
    const kinds = [...new Set(items.map((i) => i.kind))].sort((a, b) => (order.indexOf(a) + 100) % 100 - (order.indexOf(b) + 100) % 100);
    for (const k of kinds) {
      const list = items.filter((i) => i.kind === k);
      sections.push(html`<h2>${kindLabel(L, k)}</h2><ul class="cards">${list.map((e) => html`<li class="card"><h3>${e.title}</h3>${dataRows(e.data)}</li>`)}</ul>`);
    }
    return P(ctx, ['Chi tiết lượt khám', 'Visit details'], html`<p class="meta">${fmtDateTime(L, one.occurredAt)} · <code>${one.macskcb}</code></p>${sections}`);
  });

  pageRoute(app, deps, 'GET', '/cong-dan/giay-hen', { area, roles: ROLES }, async (_req, _reply, ctx) => {
    const L = ctx.lang;
    const book = await readBook(deps, ctx.user, { kinds: ['referral', 'appointment'], action: 'read-papers' });
    const cards: SafeHtml[] = [];
    for (const e of book.entries) {
      const qr = await qrFor(db, actorOf(ctx.user), e.id);
      cards.push(html`<li class="card"><h2 class="h3">${kindLabel(L, e.kind)}: ${e.title}</h2><p class="meta">${fmtDateTime(L, e.occurredAt)} · <code>${e.macskcb}</code></p>
<div class="grid2"><div>${dataRows(e.data, e.kind === 'appointment' ? ['SO_GIAYHEN_KL', 'NGAY_HEN_KL', 'CHAN_DOAN_RV', 'MA_CSKCB'] : ['SO_CHUYENTUYEN', 'MA_CSKCB_DI', 'MA_CSKCB_DEN', 'MA_NOI_DI', 'MA_NOI_DEN', 'CHAN_DOAN_RV', 'HUONG_DIEU_TRI'])}</div>
<div class="qr"><figure>${raw(qr.svg)}<figcaption>${tr(L, 'Mã QR có chữ ký số — cơ sở tiếp nhận kiểm tra được khi không có mạng', 'Signed QR code — the receiving clinic can verify it offline')}</figcaption></figure></div></div></li>`);
    }
    return P(ctx, ['Giấy chuyển tuyến và giấy hẹn khám lại', 'Referrals and appointments'], cards.length ? html`<ul class="cards">${cards}</ul>` : html`<p>${tr(L, 'Chưa có giấy chuyển tuyến hay giấy hẹn.', 'No referrals or appointments yet.')}</p>`);
  });

  const consentPage = async (ctx: PageCtx, notice?: SafeHtml) => {
    const L = ctx.lang;
    const consents = await listConsents(db, ctx.user.sub);
    const statusText: Record<string, [string, string]> = { pending: ['Chờ cơ sở nhập mã', 'Waiting for the code'], active: ['Đang hiệu lực', 'Active'], expired: ['Hết hạn', 'Expired'], revoked: ['Đã thu hồi', 'Revoked'] };
    const kindOpts: SafeHtml[] = [];
    for (const k of ['lab_result', 'imaging_result', 'diagnosis', 'medication', 'visit', 'referral', 'appointment']) kindOpts.push(html`<p><input type="checkbox" id="k-${k}" name="kinds" value="${k}"> <label class="inline" for="k-${k}">${kindLabel(L, k)}</label></p>`);
    return P(ctx, ['Chia sẻ sổ sức khỏe', 'Sharing my book'], html`<h2>${tr(L, 'Cho phép cơ sở hoặc bác sĩ xem sổ', 'Let a facility or a doctor read my book')}</h2>
<form method="post" action="/cong-dan/dong-y" class="card">${csrfField(ctx)}
<label for="purpose">${tr(L, 'Mục đích', 'Purpose')}</label><input id="purpose" name="purpose" required maxlength="500" value="${tr(L, 'Khám chữa bệnh', 'Treatment')}">
<label for="grantee">${tr(L, 'Mã cơ sở (MACSKCB, để trống: cơ sở nhập mã)', 'Facility code (MACSKCB; empty: whoever enters the code)')}</label><input id="grantee" name="macskcb" maxlength="5" pattern="[0-9A-Za-z]{5}" autocomplete="off">
<label for="hours">${tr(L, 'Thời hạn', 'Duration')}</label><select id="hours" name="hours"><option value="24">${tr(L, '24 giờ', '24 hours')}</option><option value="168">${tr(L, '7 ngày', '7 days')}</option><option value="720">${tr(L, '30 ngày', '30 days')}</option></select>
<fieldset><legend>${tr(L, 'Phạm vi', 'Scope')}</legend>
<p><input type="radio" id="s-whole" name="scope" value="whole" checked> <label class="inline" for="s-whole">${tr(L, 'Toàn bộ sổ', 'Whole book')}</label></p>
<p><input type="radio" id="s-since" name="scope" value="since"> <label class="inline" for="s-since">${tr(L, 'Từ ngày', 'Since a date')}</label></p>
<label for="since">${tr(L, 'Ngày bắt đầu', 'Start date')}</label><input id="since" name="since" type="date">
<p><input type="radio" id="s-kinds" name="scope" value="kinds"> <label class="inline" for="s-kinds">${tr(L, 'Chỉ các loại sau', 'Only these kinds')}</label></p>
${kindOpts}
</fieldset>
<p><button type="submit">${tr(L, 'Tạo mã chia sẻ', 'Create a sharing code')}</button></p></form>
<h2>${tr(L, 'Các lần chia sẻ', 'My grants')}</h2>
${consents.length ? html`<div class="table-wrap"><table><thead><tr><th scope="col">${tr(L, 'Cho', 'To')}</th><th scope="col">${tr(L, 'Mục đích', 'Purpose')}</th><th scope="col">${tr(L, 'Phạm vi', 'Scope')}</th><th scope="col">${tr(L, 'Hết hạn', 'Expires')}</th><th scope="col">${tr(L, 'Tình trạng', 'State')}</th><th scope="col"><span class="visually-hidden">${tr(L, 'Thao tác', 'Action')}</span></th></tr></thead><tbody>${consents.map(
      (c) => html`<tr><td>${c.grantee.kind === 'facility' ? html`<code>${c.grantee.macskcb}</code>` : c.grantee.kind === 'doctor' ? html`${tr(L, 'Bác sĩ', 'Doctor')} ${c.grantee.licence}` : tr(L, 'Người nhập mã', 'Whoever enters the code')}</td><td>${c.purpose}</td><td>${c.scope.kind === 'whole' ? tr(L, 'Toàn bộ', 'Whole book') : c.scope.kind === 'since' ? html`${tr(L, 'Từ', 'Since')} ${fmtDateTime(L, c.scope.since)}` : (c.scope.kinds ?? []).join(', ')}</td><td>${fmtDateTime(L, c.expiresAt)}</td><td>${tr(L, ...((statusText[c.status] ?? [c.status, c.status]) as [string, string]))}</td><td>${c.status === 'active' || c.status === 'pending' ? html`<form method="post" action="/cong-dan/dong-y/thu-hoi" class="inline">${csrfField(ctx)}<input type="hidden" name="id" value="${c.id}"><button type="submit" class="danger">${tr(L, 'Thu hồi', 'Revoke')}</button></form>` : ''}</td></tr>`,
    )}</tbody></table></div>` : html`<p>${tr(L, 'Chưa chia sẻ lần nào.', 'No grants yet.')}</p>`}`, notice);
  };

  pageRoute(app, deps, 'GET', '/cong-dan/dong-y', { area, roles: ROLES }, async (_req, _reply, ctx) => consentPage(ctx));
  pageRoute(app, deps, 'POST', '/cong-dan/dong-y', { area, roles: ROLES }, async (req, reply, ctx) => {
    const L = ctx.lang;
    const b = req.body as Record<string, unknown>;
    const mac = field(b, 'macskcb', 5).toUpperCase();
    const hours = Number(field(b, 'hours', 5)) || 24;
    const scopeKind = field(b, 'scope', 10);
    const kinds = (Array.isArray(b.kinds) ? b.kinds : b.kinds ? [b.kinds] : []).map(String).slice(0, 30);
    const scope: Scope = scopeKind === 'since' ? { kind: 'since', since: new Date(`${field(b, 'since', 10)}T00:00:00+07:00`) } : scopeKind === 'kinds' ? { kind: 'kinds', kinds } : { kind: 'whole' };
    try {
      const r = await grantConsent(db, actorOf(ctx.user), { purpose: field(b, 'purpose', 500), minutes: Math.min(Math.max(hours, 1), 720) * 60, scope, grantee: mac ? { kind: 'facility', macskcb: mac } : undefined });
      return consentPage(ctx, alertBox('ok', html`<p>${tr(L, 'Đưa mã này hoặc mã QR cho cơ sở y tế. Mã dùng một lần, hết hạn lúc', 'Give this code or the QR code to the clinic. One use only; it expires at')} ${fmtDateTime(L, r.codeExpiresAt)}.</p>
<p class="secret" data-testid="consent-code">${r.code}</p><div class="qr">${await qrSvg(r.qrText)}</div>`));
    } catch (e) {
      if (e instanceof ProblemError) {
        return consentPage(ctx, alertBox('error', problemList(ctx, e.problems)));
      }
      throw e;
    }
  });
  pageRoute(app, deps, 'POST', '/cong-dan/dong-y/thu-hoi', { area, roles: ROLES }, async (req, _reply, ctx) => {
    const id = Number(field(req.body, 'id', 20));
    if (!Number.isSafeInteger(id) || id < 1) throw ProblemError.of(WEB.WEB_FIELD_INVALID, 'body.id', { field: 'id', rule: 'integer', detail: 'id' });
    await revokeConsent(db, actorOf(ctx.user), id);
    return consentPage(ctx, alertBox('ok', tr(ctx.lang, 'Đã thu hồi quyền xem sổ.', 'Access revoked.')));
  });

  pageRoute(app, deps, 'GET', '/cong-dan/ai-da-xem', { area, roles: ROLES }, async (_req, _reply, ctx) => {
    const L = ctx.lang;
    const rows = await auditFor(db, ctx.user.sub, { limit: 200 });
    const role: Record<string, [string, string]> = { citizen: ['Bạn', 'You'], facility: ['Cơ sở y tế', 'Facility'], doctor: ['Bác sĩ', 'Doctor'], officer: ['Cán bộ y tế', 'Health officer'], operator: ['Quản trị', 'Operator'], feed: ['Ứng dụng', 'App feed'] };
    return P(ctx, ['Ai đã xem sổ của tôi', 'Who read my book'], rows.length ? html`<div class="table-wrap"><table><thead><tr><th scope="col">${tr(L, 'Thời điểm', 'When')}</th><th scope="col">${tr(L, 'Ai', 'Who')}</th><th scope="col">${tr(L, 'Xem gì', 'What')}</th><th scope="col">${tr(L, 'Kết quả', 'Outcome')}</th></tr></thead><tbody>${rows.map(
      (r) => html`<tr><td>${fmtDateTime(L, r.at)}</td><td>${tr(L, ...((role[r.actorRole] ?? [r.actorRole, r.actorRole]) as [string, string]))}${r.actorRole !== 'citizen' ? html` <code>${r.actorMacskcb ?? r.actorId}</code>` : ''}</td><td>${r.action}${r.purpose ? html` — ${r.purpose}` : ''} (${r.entryCount})</td><td>${r.outcome === 'allowed' ? tr(L, 'Được phép', 'Allowed') : html`${tr(L, 'Bị từ chối', 'Refused')}${r.reason ? html` (${r.reason})` : ''}`}</td></tr>`,
    )}</tbody></table></div>` : html`<p>${tr(L, 'Chưa có ai xem sổ.', 'Nobody has read your book yet.')}</p>`);
  });

  pageRoute(app, deps, 'GET', '/cong-dan/tai-ve', { area, roles: ROLES }, async (_req, _reply, ctx) => {
    const L = ctx.lang;
    return P(ctx, ['Tải sổ sức khỏe về máy', 'Download my book'], html`<p>${tr(L, 'Tệp chứa dữ liệu sức khỏe cá nhân: hãy giữ an toàn.', 'The file holds personal health data: keep it safe.')}</p>
<form method="post" action="/cong-dan/tai-ve/pdf" class="inline">${csrfField(ctx)}<button type="submit">${tr(L, 'Tải PDF', 'Download PDF')}</button></form>
<form method="post" action="/cong-dan/tai-ve/fhir" class="inline">${csrfField(ctx)}<button type="submit" class="secondary">${tr(L, 'Tải FHIR JSON', 'Download FHIR JSON')}</button></form>`);
  });

  pageRoute(app, deps, 'POST', '/cong-dan/tai-ve/pdf', { area, roles: ROLES }, async (_req, reply, ctx) => {
    const book = await readBook(deps, ctx.user, { action: 'export-pdf' });
    const labels: Record<string, string> = {};
    for (const e of book.entries) labels[e.kind] ??= kindLabel(ctx.lang, e.kind);
    const pdf = await bookPdf(ctx.lang, book, labels);
    reply.header('content-disposition', 'attachment; filename="so-suc-khoe.pdf"').header('cache-control', 'no-store');
    return reply.type('application/pdf').send(pdf);
  });

  pageRoute(app, deps, 'POST', '/cong-dan/tai-ve/fhir', { area, roles: ROLES }, async (_req, reply, ctx) => {
    const bundle = await exportFhir(db, actorOf(ctx.user), ctx.user.sub, { purpose: 'download' });
    reply.header('content-disposition', 'attachment; filename="so-suc-khoe.fhir.json"').header('cache-control', 'no-store');
    return reply.type('application/fhir+json; charset=utf-8').send(JSON.stringify(bundle, null, 1));
  });
}
