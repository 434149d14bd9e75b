// The web pages, a Fastify plugin the gateway mounts at `/`: citizen book (/cong-dan),
// facility portal (/co-so), health-department dashboard (/so-y-te). Server-rendered HTML,
// Vietnamese first (?lang=en for English), CSRF-protected forms, no personal data in URLs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import { COMMON, isProblemError, problem, type Problem } from '../errors/index.ts';
import type { Db } from '../store/index.ts';
import { signOut } from './auth.ts';
import { registerCitizen } from './citizen.ts';
import { pageCtx } from './context.ts';
import { registerDepartment } from './department.ts';
import { WEB } from './errors.ts';
import { registerFacility } from './facility.ts';
import { html } from './html.ts';
import { tr } from './i18n.ts';
import { ctxOf, pageRoute, type WebDeps } from './kit.ts';
import { page, problemList } from './layout.ts';

const STATIC = join(import.meta.dirname, 'static');

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};

/** Limits of the manual forms' multipart body (a .p12 is a few kB; a form has at most ~300 fields). */
const MULTIPART = { fileSize: 64 * 1024, files: 1, fields: 600, fieldSize: 64 * 1024, parts: 602 };
const MULTIPART_LIMITS: Record<string, { path: string; what: string; limit: string }> = {
  FST_REQ_FILE_TOO_LARGE: { path: 'p12File', what: 'file', limit: `${MULTIPART.fileSize / 1024} KB` },
  FST_FILES_LIMIT: { path: 'p12File', what: 'files', limit: String(MULTIPART.files) },
  FST_PARTS_LIMIT: { path: 'body', what: 'parts', limit: String(MULTIPART.parts) },
  FST_FIELDS_LIMIT: { path: 'body', what: 'fields', limit: String(MULTIPART.fields) },
};

export default async function routes(app: FastifyInstance, opts: { db: Db; config?: Record<string, any>; receiptKey?: unknown }): Promise<void> {
  const deps: WebDeps = { db: opts.db, config: opts.config ?? {}, gateway: opts.receiptKey ? (opts as Record<string, unknown>) : undefined };
  if (!app.hasContentTypeParser('application/x-www-form-urlencoded')) await app.register(formbody, { bodyLimit: 512 * 1024 });
  // The manual forms are multipart (a PKCS#12 file may be attached): fields land in req.body as
  // text, the one file as bytes; small hard limits (a .p12 is a few kB).
  if (!app.hasContentTypeParser('multipart/form-data')) {
    await app.register(multipart, { attachFieldsToBody: 'keyValues', limits: MULTIPART, throwFileSizeLimit: true });
  }

  const assets: Record<string, { body: Buffer; type: string }> = {
    'web.css': { body: readFileSync(join(STATIC, 'web.css')), type: 'text/css; charset=utf-8' },
    'web.js': { body: readFileSync(join(STATIC, 'web.js')), type: 'text/javascript; charset=utf-8' },
  };
  app.get('/static/:name', async (req, reply) => {
    const a = assets[(req.params as { name: string }).name];
    if (!a) return reply.code(404).type('text/plain').send('not found');
    return reply.header('cache-control', 'public, max-age=3600').type(a.type).send(a.body);
  });

  // Pages that are not ours (the development identity provider) still ask for /favicon.ico.
  app.get('/favicon.ico', async (_req, reply) => reply.code(204).header('cache-control', 'public, max-age=86400').send());

  app.addHook('onSend', async (_req, reply, payload) => {
    const type = String(reply.getHeader('content-type') ?? '');
    if (type.startsWith('text/html')) {
      for (const [k, v] of Object.entries(SECURITY_HEADERS)) reply.header(k, v);
    }
    return payload;
  });

  app.setErrorHandler(async (err, req, reply) => {
    const ctx = ctxOf(req) ?? pageCtx(req, reply);
    let problems: Problem[];
    let status: number;
    const multipartLimit = MULTIPART_LIMITS[(err as { code?: string }).code ?? ''];
    if (isProblemError(err)) {
      problems = err.problems;
      status = err.status;
    } else if (multipartLimit) {
      // A limit of the manual forms' multipart body (file size, number of files, parts or fields).
      problems = [problem(WEB.WEB_UPLOAD_TOO_LARGE, multipartLimit.path, { what: multipartLimit.what, limit: multipartLimit.limit })];
      status = 413;
    } else if ((err as { statusCode?: number }).statusCode && (err as { statusCode: number }).statusCode < 500) {
      status = (err as { statusCode: number }).statusCode;
      problems = [problem(COMMON.INPUT_INVALID, '', { rule: 'request', detail: (err as Error).message })];
    } else {
      req.log.error({ err: { message: (err as Error).message, stack: (err as Error).stack } }, 'web page failed');
      status = 500;
      problems = [problem(COMMON.INTERNAL)];
    }
    const area = ctx.path.startsWith('/cong-dan') ? 'citizen' : ctx.path.startsWith('/co-so') ? 'facility' : ctx.path.startsWith('/so-y-te') ? 'department' : 'home';
    reply.code(status).type('text/html; charset=utf-8');
    return page(ctx, {
      title: ['Không thực hiện được', 'Could not be done'],
      area,
      body: html`${problemList(ctx, problems)}<p><a href="${ctx.path}">${tr(ctx.lang, 'Quay lại', 'Back')}</a></p>`,
    });
  });

  app.setNotFoundHandler(async (req, reply) => {
    const ctx = pageCtx(req, reply);
    reply.code(404).type('text/html; charset=utf-8');
    return page(ctx, { title: ['Không tìm thấy trang', 'Page not found'], body: problemList(ctx, [problem(WEB.WEB_NOT_FOUND)]) });
  });

  pageRoute(app, deps, 'GET', '/', { area: 'home' }, async (_req, _reply, ctx) => {
    const L = ctx.lang;
    return page(ctx, {
      title: ['Sổ sức khỏe điện tử', 'Electronic health book'],
      body: html`<ul class="cards">
<li class="card"><h2><a href="/cong-dan">${tr(L, 'Người dân', 'Citizens')}</a></h2><p>${tr(L, 'Xem sổ sức khỏe, giấy chuyển tuyến, giấy hẹn khám lại; cho phép bác sĩ xem sổ; xem ai đã đọc sổ.', 'Read your health book, referrals and appointments; let a doctor read it; see who read it.')}</p></li>
<li class="card"><h2><a href="/co-so">${tr(L, 'Cơ sở khám chữa bệnh', 'Health facilities')}</a></h2><p>${tr(L, 'Gói tin đã gửi và biên nhận, đối soát, chứng thư số, mã truy cập API, tiếp nhận người bệnh, nhập tay giấy tờ.', 'Submissions and receipts, reconciliation, certificates, API tokens, receiving a patient, manual forms.')}</p></li>
<li class="card"><h2><a href="/so-y-te">${tr(L, 'Sở Y tế', 'Health department')}</a></h2><p>${tr(L, 'Giám sát gửi dữ liệu theo cơ sở và địa bàn, cơ sở chậm gửi, báo cáo tháng.', 'Monitor data flow by facility and area, lagging facilities, monthly reports.')}</p></li>
</ul>`,
    });
  });

  pageRoute(app, deps, 'POST', '/dang-xuat', { area: 'home' }, async (_req, reply, ctx) => {
    await signOut(deps.db, reply, ctx);
    return reply.redirect('/', 303);
  });

  await registerCitizen(app, deps);
  await registerFacility(app, deps);
  await registerDepartment(app, deps);
}
