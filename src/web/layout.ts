// The page shell: skip link, header with the role's navigation, language switch, sign-out,
// one <main>, footer. Vietnamese first; English by ?lang=en.
import type { Problem } from '../errors/index.ts';
import type { PageCtx } from './context.ts';
import { html, raw, type SafeHtml } from './html.ts';
import { tr } from './i18n.ts';

export interface NavItem {
  href: string;
  vi: string;
  en: string;
}

export interface PageOpts {
  title: [string, string];
  area?: 'citizen' | 'facility' | 'department' | 'home';
  nav?: NavItem[];
  body: SafeHtml;
  notice?: SafeHtml | null;
}

export const AREA_NAME: Record<string, [string, string]> = {
  citizen: ['Sổ sức khỏe của tôi', 'My health book'],
  facility: ['Cổng cơ sở khám chữa bệnh', 'Facility portal'],
  department: ['Sở Y tế — giám sát', 'Health department — monitoring'],
  home: ['Sổ sức khỏe điện tử', 'Electronic health book'],
};

export function csrfField(ctx: PageCtx): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${ctx.csrf}">`;
}

export function page(ctx: PageCtx, o: PageOpts): string {
  const L = ctx.lang;
  const title = tr(L, o.title[0], o.title[1]);
  const area = AREA_NAME[o.area ?? 'home'];
  const other = L === 'vi' ? { lang: 'en', label: 'English' } : { lang: 'vi', label: 'Tiếng Việt' };
  const home = o.area === 'citizen' ? '/cong-dan' : o.area === 'facility' ? '/co-so' : o.area === 'department' ? '/so-y-te' : '/';
  const nav = o.nav?.length
    ? html`<nav aria-label="${tr(L, 'Điều hướng chính', 'Main navigation')}"><ul class="nav">${o.nav.map(
        (n) => html`<li><a href="${n.href}"${ctx.path === n.href ? raw(' aria-current="page"') : ''}>${tr(L, n.vi, n.en)}</a></li>`,
      )}</ul></nav>`
    : '';
  const signOut = ctx.principal
    ? html`<form method="post" action="/dang-xuat" class="inline">${csrfField(ctx)}<button type="submit" class="link">${tr(L, 'Đăng xuất', 'Sign out')}</button></form>`
    : '';
  return '<!doctype html>' + html`<html lang="${L}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} — ${tr(L, area[0], area[1])}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/static/web.css">
<script src="/static/web.js" defer></script>
</head>
<body>
<a class="skip" href="#main">${tr(L, 'Bỏ qua, đến nội dung chính', 'Skip to main content')}</a>
<header class="top">
  <div class="bar">
    <a class="brand" href="${home}">${tr(L, area[0], area[1])}</a>
    <div class="tools">
      <a href="${ctx.path}?lang=${other.lang}" lang="${other.lang}" hreflang="${other.lang}">${other.label}</a>
      ${signOut}
    </div>
  </div>
  ${nav}
</header>
<main id="main" tabindex="-1">
<h1>${title}</h1>
${o.notice ?? ''}
${o.body}
</main>
<footer class="foot"><p>${tr(L, 'Sổ sức khỏe điện tử — dữ liệu theo QĐ 130/4750/3176 của Bộ Y tế.', 'Electronic health book — data per Ministry of Health Decisions 130/4750/3176.')}</p></footer>
</body>
</html>`.value;
}

/** A list of problems, each with its code, the field path, Vietnamese and English. */
export function problemList(ctx: PageCtx, problems: Problem[]): SafeHtml {
  if (!problems.length) return html``;
  return html`<ul class="problems">${problems.map(
    (p) => html`<li class="${p.severity}"><strong>${p.code}</strong>${p.path ? html` <code>${p.path}</code>` : ''}: ${ctx.lang === 'en' ? p.en : p.vi}${ctx.lang === 'vi' ? html` <span class="en" lang="en">(${p.en})</span>` : ''}</li>`,
  )}</ul>`;
}

export function alertBox(kind: 'error' | 'ok' | 'info', body: SafeHtml | string): SafeHtml {
  return html`<div class="alert ${kind}" role="${kind === 'error' ? 'alert' : 'status'}">${body}</div>`;
}

/** Shown where a domain module the page needs is not present on this server. */
export function unavailable(ctx: PageCtx, module: string): SafeHtml {
  return alertBox('info', html`${tr(ctx.lang, 'Chức năng chưa sẵn sàng trên máy chủ này', 'This function is not available on this server yet')} (<code>${module}</code>).`);
}
