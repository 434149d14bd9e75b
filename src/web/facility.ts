// Facility portal (/co-so): sign in with the facility account; submissions with receipts and
// each problem explained at its field; reconciliation; certificates; API tokens; receiving a
// patient and reading the book under consent; recent results elsewhere; manual forms.
import type { FastifyInstance } from 'fastify';
import { allErrorDefs, ProblemError, type Problem } from '../errors/index.ts';
import { signIn } from './auth.ts';
import { csrfField, page, problemList, alertBox, unavailable, type NavItem } from './layout.ts';
import { getReceipt, listPackages, reconcile, facilityName, type Receipt } from './data.ts';
import { loginStaff } from '../access/identity/index.ts';
import { checkFacadeLogin, issueToken, listCertificates, listTokens, md5Upper, registerCertificate, replaceCertificate, revokeToken } from '../gateway/index.ts';
import { WEB } from './errors.ts';
import { html, type SafeHtml } from './html.ts';
import { fmtDateTime, tr, type Lang } from './i18n.ts';
import { field, pageRoute, type WebDeps } from './kit.ts';
import type { PageCtx, WebPrincipal } from './context.ts';
import { registerManualForms, fieldLabel } from './manual.ts';
import { registerPatient } from './patient.ts';

export const FACILITY_NAV: NavItem[] = [
  { href: '/co-so', vi: 'Tổng quan', en: 'Overview' },
  { href: '/co-so/goi-tin', vi: 'Gói tin & biên nhận', en: 'Submissions' },
  { href: '/co-so/doi-soat', vi: 'Đối soát', en: 'Reconciliation' },
  { href: '/co-so/chung-thu', vi: 'Chứng thư số', en: 'Certificates' },
  { href: '/co-so/token', vi: 'Mã truy cập API', en: 'API tokens' },
  { href: '/co-so/benh-nhan', vi: 'Tiếp nhận người bệnh', en: 'Receive a patient' },
  { href: '/co-so/kiem-tra-giay', vi: 'Kiểm tra giấy chuyển tuyến/hẹn', en: 'Verify a referral/appointment' },
  { href: '/co-so/nhap-tay', vi: 'Nhập tay giấy tờ', en: 'Manual forms' },
];

const ROLES = ['facility', 'doctor'];

export function facilityOf(user: WebPrincipal): string {
  const m = user.macskcb;
  if (typeof m !== 'string' || !m) throw ProblemError.of(WEB.WEB_FORBIDDEN, '', { role: 'facility' });
  return m;
}

function statusLabel(L: Lang, s: string): SafeHtml {
  const t: Record<string, [string, string]> = { accepted: ['Đã chấp nhận', 'Accepted'], rejected: ['Bị từ chối', 'Rejected'], partial: ['Chấp nhận một phần', 'Partly accepted'] };
  const x = t[s] ?? [s, s];
  return html`<span class="status-${s}">${tr(L, x[0], x[1])}</span>`;
}

function packagesTable(ctx: PageCtx, rows: Awaited<ReturnType<typeof listPackages>>): SafeHtml {
  const L = ctx.lang;
  if (!rows.length) return html`<p>${tr(L, 'Chưa có gói tin nào.', 'No submissions yet.')}</p>`;
  return html`<div class="table-wrap"><table>
<caption class="meta">${tr(L, 'Gói tin mới nhất trước', 'Newest first')}</caption>
<thead><tr><th scope="col">${tr(L, 'Thời điểm nhận', 'Received')}</th><th scope="col">${tr(L, 'Loại', 'Kind')}</th><th scope="col">${tr(L, 'Trạng thái', 'Status')}</th><th scope="col" class="num">${tr(L, 'Hồ sơ', 'Dossiers')}</th><th scope="col" class="num">${tr(L, 'Hồ sơ được nhận', 'Dossiers accepted')}</th><th scope="col">${tr(L, 'Biên nhận', 'Receipt')}</th></tr></thead>
<tbody>${rows.map((r) => html`<tr><td>${fmtDateTime(L, r.receivedAt)}</td><td>${r.kind}</td><td>${statusLabel(L, r.status)}</td><td class="num">${r.dossiers}</td><td class="num">${r.accepted}</td><td><a href="/co-so/goi-tin/${r.sha256}">${tr(L, 'Xem', 'View')}<span class="visually-hidden"> ${r.sha256.slice(0, 12)}</span></a></td></tr>`)}</tbody>
</table></div>`;
}

const FIX = new Map<string, string | undefined>();
function fixOf(code: string): string | undefined {
  if (!FIX.size) for (const d of allErrorDefs()) FIX.set(d.code, d.fix);
  return FIX.get(code);
}

/** Each problem at its field: table, field (with the catalogue's description), rule, message. */
async function problemsAtFields(ctx: PageCtx, problems: Problem[]): Promise<SafeHtml> {
  const L = ctx.lang;
  if (!problems.length) return html`<p>${tr(L, 'Không có lỗi.', 'No problems.')}</p>`;
  const rows: SafeHtml[] = [];
  for (const p of problems) {
    const m = /(XML\d+)(?:\[\d+\])?\.([A-Z0-9_]+)/.exec(p.path);
    const label = m ? fieldLabel(m[1], m[2]) : null;
    const fix = fixOf(p.code);
    rows.push(html`<tr class="${p.severity}"><td>${m ? html`<strong>${m[1]}.${m[2]}</strong>${label ? html`<br><span class="meta">${label}</span>` : ''}` : html`<code>${p.path || '—'}</code>`}</td>
<td><code>${p.code}</code><br><span class="meta">${p.rule}</span></td>
<td>${L === 'en' ? p.en : p.vi}${L === 'vi' ? html`<br><span class="en" lang="en">${p.en}</span>` : ''}${fix ? html`<br><em>${tr(L, 'Cách sửa', 'Fix')}: </em><span lang="en">${fix}</span>` : ''}</td></tr>`);
  }
  return html`<div class="table-wrap"><table class="stack"><thead><tr><th scope="col">${tr(L, 'Trường', 'Field')}</th><th scope="col">${tr(L, 'Mã lỗi / quy tắc', 'Code / rule')}</th><th scope="col">${tr(L, 'Giải thích', 'Explanation')}</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

export async function receiptView(ctx: PageCtx, receipt: Receipt): Promise<SafeHtml> {
  const L = ctx.lang;
  const parts: SafeHtml[] = [];
  parts.push(html`<dl class="card">
<dt>${tr(L, 'Mã biên nhận', 'Receipt id')}</dt><dd><code>${receipt.receiptId ?? ''}</code></dd>
<dt>SHA-256</dt><dd><code>${receipt.packageSha256 ?? ''}</code></dd>
<dt>${tr(L, 'Trạng thái', 'Status')}</dt><dd>${statusLabel(L, receipt.status ?? '')}</dd>
<dt>${tr(L, 'Nhận lúc', 'Received at')}</dt><dd>${fmtDateTime(L, receipt.receivedAt)}</dd>
${receipt.acceptedAt ? html`<dt>${tr(L, 'Chấp nhận lúc', 'Accepted at')}</dt><dd>${fmtDateTime(L, receipt.acceptedAt)}</dd>` : ''}
${receipt.signature ? html`<dt>${tr(L, 'Chữ ký biên nhận', 'Receipt signature')}</dt><dd><code>${receipt.signature.alg} ${receipt.signature.keyId}</code></dd>` : ''}
</dl>`);
  if (receipt.problems?.length) parts.push(html`<h2>${tr(L, 'Lỗi của cả gói tin', 'Problems of the whole package')}</h2>${await problemsAtFields(ctx, receipt.problems)}`);
  for (const d of receipt.dossiers ?? []) {
    parts.push(html`<h2>${tr(L, 'Hồ sơ', 'Dossier')} <code>${d.maLk}</code> — ${statusLabel(L, d.status)}${d.version ? html` <span class="meta">(${tr(L, 'phiên bản', 'version')} ${d.version})</span>` : ''}</h2>${await problemsAtFields(ctx, d.problems ?? [])}`);
  }
  return html`${parts}`;
}

function parseDay(s: string, fallback: Date): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return fallback;
  const d = new Date(`${m[1]}-${m[2]}-${m[3]}T00:00:00+07:00`);
  return Number.isNaN(d.getTime()) ? fallback : d;
}

function isoDay(d: Date): string {
  return new Date(d.getTime() + 7 * 3600_000).toISOString().slice(0, 10);
}

export async function registerFacility(app: FastifyInstance, deps: WebDeps): Promise<void> {
  const { db } = deps;
  const area = 'facility' as const;
  const P = (ctx: PageCtx, title: [string, string], body: SafeHtml, notice?: SafeHtml) => page(ctx, { title, area, nav: FACILITY_NAV, body, notice });

  pageRoute(app, deps, 'GET', '/co-so/dang-nhap', { area }, async (_req, _reply, ctx) => loginPage(ctx));
  pageRoute(app, deps, 'POST', '/co-so/dang-nhap', { area }, async (req, reply, ctx) => {
    const username = field(req.body, 'username', 200);
    const password = field(req.body, 'password', 1000);
    // Staff accounts of the identity module first; else the facility account itself (its
    // national-facade user name and password, kept hashed by the gateway).
    let principal = (await loginStaff(db, username, password)) as WebPrincipal | null;
    if (!principal && username && password) {
      const acc = await checkFacadeLogin(db, username, md5Upper(password));
      if (acc && acc.status === 'active') principal = { role: 'facility', sub: `account:${acc.macskcb}`, macskcb: acc.macskcb, name: acc.name };
    }
    if (!principal || !principal.role) {
      return loginPage(ctx, alertBox('error', html`${tr(ctx.lang, 'Tên đăng nhập hoặc mật khẩu không đúng', 'Wrong user name or password')}`), username);
    }
    await signIn(db, reply, ctx, principal);
    return reply.redirect(principal.role === 'officer' ? '/so-y-te' : '/co-so', 303);
  });

  pageRoute(app, deps, 'GET', '/co-so', { area, roles: ROLES }, async (_req, _reply, ctx) => {
    const m = facilityOf(ctx.user);
    const [name, rows] = await Promise.all([facilityName(db, m), listPackages(db, m, new Date(Date.now() - 30 * 86400_000), new Date(Date.now() + 60_000)).then((x) => x.slice(0, 10))]);
    const L = ctx.lang;
    return P(ctx, ['Cổng cơ sở khám chữa bệnh', 'Facility portal'], html`<p>${tr(L, 'Cơ sở', 'Facility')}: <strong>${name ?? ''}</strong> (<code>${m}</code>)</p>
<h2>${tr(L, 'Gói tin gần đây', 'Recent submissions')}</h2>${packagesTable(ctx, rows)}`);
  });

  pageRoute(app, deps, 'GET', '/co-so/goi-tin', { area, roles: ROLES }, async (_req, _reply, ctx) => {
    const m = facilityOf(ctx.user);
    return P(ctx, ['Gói tin đã gửi và biên nhận', 'Submissions and receipts'], packagesTable(ctx, await listPackages(db, m, new Date(Date.now() - 90 * 86400_000), new Date(Date.now() + 60_000))));
  });

  pageRoute(app, deps, 'GET', '/co-so/goi-tin/:sha', { area, roles: ROLES }, async (req, _reply, ctx) => {
    const m = facilityOf(ctx.user);
    const sha = String((req.params as { sha: string }).sha).toLowerCase();
    const r = await getReceipt(db, m, sha);
    if (!r) throw ProblemError.of(WEB.WEB_NOT_FOUND, 'sha256');
    return P(ctx, ['Biên nhận gói tin', 'Package receipt'], await receiptView(ctx, r));
  });

  pageRoute(app, deps, 'GET', '/co-so/doi-soat', { area, roles: ROLES }, async (req, _reply, ctx) => {
    const m = facilityOf(ctx.user);
    const q = req.query as Record<string, string>;
    const now = new Date();
    const to0 = parseDay(String(q.to ?? ''), new Date(now.getTime()));
    const from = parseDay(String(q.from ?? ''), new Date(now.getTime() - 30 * 86400_000));
    const to = new Date(to0.getTime() + 86400_000);
    const r = await reconcile(db, m, from, to);
    const L = ctx.lang;
    const item = (vi: string, en: string, n: number) => html`<tr><th scope="row">${tr(L, vi, en)}</th><td class="num">${n}</td></tr>`;
    return P(ctx, ['Đối soát theo kỳ', 'Reconciliation for a period'], html`<form method="get" action="/co-so/doi-soat" class="form-grid">
<div><label for="from">${tr(L, 'Từ ngày', 'From')}</label><input id="from" name="from" type="date" value="${isoDay(from)}"></div>
<div><label for="to">${tr(L, 'Đến ngày', 'To')}</label><input id="to" name="to" type="date" value="${isoDay(to0)}"></div>
<p><button type="submit">${tr(L, 'Đối soát', 'Reconcile')}</button></p></form>
<table><tbody>
${item('Gói tin đã gửi', 'Packages sent', r.sent)}
${item('Được chấp nhận (toàn bộ hoặc một phần)', 'Accepted (whole or in part)', r.accepted)}
${item('Bị từ chối', 'Rejected', r.rejected)}
${item('Hồ sơ được chấp nhận', 'Dossiers accepted', r.dossiersAccepted)}
${item('Hồ sơ thay thế', 'Replacements', r.replaced)}
</tbody></table>`);
  });

  const certPage = async (ctx: PageCtx, notice?: SafeHtml) => {
    const m = facilityOf(ctx.user);
    const L = ctx.lang;
    const certs = (await listCertificates(db, m)).reverse();
    const now = Date.now();
    return P(ctx, ['Chứng thư số của cơ sở', 'Facility certificates'], html`${certs.length ? html`<div class="table-wrap"><table><thead><tr><th scope="col">${tr(L, 'Chủ thể', 'Subject')}</th><th scope="col">${tr(L, 'Hiệu lực', 'Validity')}</th><th scope="col">${tr(L, 'Tình trạng', 'State')}</th><th scope="col">${tr(L, 'Dấu vân tay SHA-256', 'SHA-256 fingerprint')}</th></tr></thead><tbody>${certs.map(
      (c) => html`<tr><td>${c.subject}<br><span class="meta">${c.issuer}</span></td><td>${fmtDateTime(L, c.notBefore)} – ${fmtDateTime(L, c.notAfter)}</td><td>${c.revokedAt ? tr(L, 'Đã thu hồi', 'Revoked') : new Date(c.notAfter).getTime() < now ? tr(L, 'Hết hạn', 'Expired') : tr(L, 'Còn hiệu lực', 'Valid')}</td><td><code>${c.fingerprint.slice(0, 16)}…</code></td></tr>`,
    )}</tbody></table></div>` : html`<p>${tr(L, 'Chưa đăng ký chứng thư số nào.', 'No certificate registered yet.')}</p>`}
<h2>${tr(L, 'Đăng ký hoặc cập nhật chứng thư', 'Register or update a certificate')}</h2>
<form method="post" action="/co-so/chung-thu">${csrfField(ctx)}
<label for="pem">${tr(L, 'Chứng thư (PEM)', 'Certificate (PEM)')}</label>
<p class="hint" id="pem-hint">${tr(L, 'Dán nội dung bắt đầu bằng -----BEGIN CERTIFICATE-----', 'Paste the text that begins with -----BEGIN CERTIFICATE-----')}</p>
<textarea id="pem" name="pem" rows="8" required aria-describedby="pem-hint"></textarea>
<p><input type="checkbox" id="replace" name="replace" value="1"> <label class="inline" for="replace">${tr(L, 'Thay thế các chứng thư đang dùng (thu hồi chứng thư cũ)', 'Replace the certificates in use (revoke the old ones)')}</label></p>
<p><button type="submit">${tr(L, 'Đăng ký', 'Register')}</button></p></form>`, notice);
  };
  pageRoute(app, deps, 'GET', '/co-so/chung-thu', { area, roles: ROLES }, async (_req, _reply, ctx) => certPage(ctx));
  pageRoute(app, deps, 'POST', '/co-so/chung-thu', { area, roles: ['facility'] }, async (req, reply, ctx) => {
    const m = facilityOf(ctx.user);
    const pem = field(req.body, 'pem', 64 * 1024);
    const replace = field(req.body, 'replace', 5) === '1';
    try {
      if (replace) await db.transaction((tx) => replaceCertificate(tx, m, pem));
      else await registerCertificate(db, m, pem);
    } catch (e) {
      if (e instanceof ProblemError) {
        return certPage(ctx, alertBox('error', problemList(ctx, e.problems)));
      }
      throw e;
    }
    return certPage(ctx, alertBox('ok', tr(ctx.lang, 'Đã đăng ký chứng thư.', 'Certificate registered.')));
  });

  const tokenPage = async (ctx: PageCtx, notice?: SafeHtml) => {
    const m = facilityOf(ctx.user);
    const L = ctx.lang;
    const tokens = (await listTokens(db, m)).reverse();
    return P(ctx, ['Mã truy cập API', 'API tokens'], html`${tokens.length ? html`<div class="table-wrap"><table><thead><tr><th scope="col">${tr(L, 'Tên', 'Name')}</th><th scope="col">${tr(L, 'Tạo lúc', 'Created')}</th><th scope="col">${tr(L, 'Hết hạn', 'Expires')}</th><th scope="col">${tr(L, 'Tình trạng', 'State')}</th><th scope="col"><span class="visually-hidden">${tr(L, 'Thao tác', 'Action')}</span></th></tr></thead><tbody>${tokens.map(
      (t) => html`<tr><td>${t.name || '—'}</td><td>${fmtDateTime(L, t.createdAt)}</td><td>${t.expiresAt ? fmtDateTime(L, t.expiresAt) : '—'}</td><td>${t.revokedAt ? tr(L, 'Đã thu hồi', 'Revoked') : tr(L, 'Đang dùng', 'Active')}</td><td>${t.revokedAt ? '' : html`<form method="post" action="/co-so/token/thu-hoi" class="inline">${csrfField(ctx)}<input type="hidden" name="id" value="${t.id}"><button type="submit" class="danger">${tr(L, 'Thu hồi', 'Revoke')}<span class="visually-hidden"> ${t.name}</span></button></form>`}</td></tr>`,
    )}</tbody></table></div>` : html`<p>${tr(L, 'Chưa có mã truy cập.', 'No tokens yet.')}</p>`}
<h2>${tr(L, 'Tạo mã truy cập mới', 'Create a token')}</h2>
<form method="post" action="/co-so/token">${csrfField(ctx)}
<label for="tname">${tr(L, 'Tên (ví dụ: HIS khoa khám bệnh)', 'Name (e.g. outpatient HIS)')}</label><input id="tname" name="name" maxlength="100" required>
<label for="tdays">${tr(L, 'Số ngày hiệu lực (để trống: không hết hạn)', 'Valid for days (empty: no expiry)')}</label><input id="tdays" name="days" type="number" min="1" max="3650" inputmode="numeric">
<p><button type="submit">${tr(L, 'Tạo mã', 'Create')}</button></p></form>`, notice);
  };
  pageRoute(app, deps, 'GET', '/co-so/token', { area, roles: ['facility'] }, async (_req, _reply, ctx) => tokenPage(ctx));
  pageRoute(app, deps, 'POST', '/co-so/token', { area, roles: ['facility'] }, async (req, _reply, ctx) => {
    const m = facilityOf(ctx.user);
    const name = field(req.body, 'name', 100);
    const daysText = field(req.body, 'days', 10);
    const days = daysText ? Number(daysText) : null;
    if (!name) throw ProblemError.of(WEB.WEB_FIELD_REQUIRED, 'body.name', { field: 'name' });
    if (days !== null && (!Number.isInteger(days) || days < 1 || days > 3650)) throw ProblemError.of(WEB.WEB_FIELD_INVALID, 'body.days', { field: 'days', rule: '1..3650', detail: '1–3650' });
    const made = await issueToken(db, m, { name, expiresAt: days ? new Date(Date.now() + days * 86400_000) : undefined });
    const secret = made.token;
    return tokenPage(ctx, alertBox('ok', html`<p>${tr(ctx.lang, 'Mã truy cập mới (chỉ hiện một lần, hãy lưu lại ngay):', 'New token (shown once; store it now):')}</p><p class="secret" data-testid="secret">${secret}</p>`));
  });
  pageRoute(app, deps, 'POST', '/co-so/token/thu-hoi', { area, roles: ['facility'] }, async (req, _reply, ctx) => {
    const m = facilityOf(ctx.user);
    const id = Number(field(req.body, 'id', 20));
    if (!Number.isSafeInteger(id) || id < 1) throw ProblemError.of(WEB.WEB_FIELD_INVALID, 'body.id', { field: 'id', rule: 'integer', detail: 'id' });
    const mine = (await listTokens(db, m)).some((t) => t.id === id);
    if (mine) await revokeToken(db, id);
    const ok = mine;
    return tokenPage(ctx, alertBox(ok ? 'ok' : 'error', ok ? tr(ctx.lang, 'Đã thu hồi mã.', 'Token revoked.') : tr(ctx.lang, 'Không tìm thấy mã.', 'Token not found.')));
  });

  await registerPatient(app, deps);
  await registerManualForms(app, deps);
}

function loginPage(ctx: PageCtx, notice?: SafeHtml, username = ''): string {
  const L = ctx.lang;
  return page(ctx, {
    title: ['Đăng nhập tài khoản cơ sở', 'Facility sign-in'],
    area: 'facility',
    notice,
    body: html`<form method="post" action="/co-so/dang-nhap" class="card">${csrfField(ctx)}
<label for="username">${tr(L, 'Tên đăng nhập', 'User name')}</label><input id="username" name="username" autocomplete="username" required maxlength="200" value="${username}">
<label for="password">${tr(L, 'Mật khẩu', 'Password')}</label><input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1000">
<p><button type="submit">${tr(L, 'Đăng nhập', 'Sign in')}</button></p></form>`,
  });
}
