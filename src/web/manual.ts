// Manual path for a facility whose HIS cannot export: a form built from the catalogue's field
// rules (type, length, required, code list) that validates as you type, then on the server with
// the standard's validator; the package is built, signed (gateway-held facility key or an
// uploaded key) and sent through the same receiving pipeline as any other package.
import type { FastifyInstance } from 'fastify';
import { ProblemError, type Problem } from '../errors/index.ts';
import type { Row, TableCode } from '../standard/types.ts';
import { alertBox, csrfField, page, problemList, unavailable } from './layout.ts';
import { domainFn, domainValue } from './domains.ts';
import { WEB } from './errors.ts';
import { html, type SafeHtml } from './html.ts';
import { tr } from './i18n.ts';
import { field, pageRoute, type WebDeps } from './kit.ts';
import type { PageCtx } from './context.ts';
import { FACILITY_NAV, facilityOf, receiptView } from './facility.ts';

export interface FieldDef {
  name: string;
  type: 'string' | 'number' | 'date' | 'datetime';
  maxLength?: number;
  required?: boolean;
  codeList?: unknown;
  description?: string;
}

export interface TableDef {
  code: string;
  title?: string;
  fields: FieldDef[];
}

/** The catalogue (src/standard TABLES) as a list, or null when not present. */
export async function catalogue(): Promise<Map<string, TableDef> | null> {
  const t = await domainValue<unknown>('standard', 'TABLES');
  if (!t || typeof t !== 'object') return null;
  const list = (Array.isArray(t) ? t : Object.entries(t as Record<string, unknown>).map(([k, v]) => ({ code: k, ...(v as object) }))) as TableDef[];
  const map = new Map<string, TableDef>();
  for (const d of list) if (d && Array.isArray(d.fields)) map.set(String(d.code), d);
  return map;
}

export async function fieldLabel(table: string, name: string): Promise<string | null> {
  const c = await catalogue();
  return c?.get(table)?.fields.find((f) => f.name === name)?.description ?? null;
}

function codesOf(f: FieldDef): string[] | null {
  const c = f.codeList as unknown;
  if (Array.isArray(c)) return c.map((x) => (typeof x === 'object' && x ? String((x as { code?: unknown }).code ?? '') : String(x))).filter(Boolean);
  if (c && typeof c === 'object' && Array.isArray((c as { codes?: unknown }).codes)) return ((c as { codes: unknown[] }).codes).map((x) => (typeof x === 'object' && x ? String((x as { code?: unknown }).code ?? '') : String(x)));
  return null;
}

interface FormKind {
  key: string;
  vi: string;
  en: string;
  /** Table codes the form fills, found in the catalogue (first match by code or name pattern). */
  find: (c: Map<string, TableDef>) => string[];
}

const byPattern = (c: Map<string, TableDef>, re: RegExp) => [...c.values()].filter((t) => re.test(t.code) || re.test(t.title ?? '')).map((t) => t.code);

export const FORM_KINDS: FormKind[] = [
  { key: 'giay-chung-sinh', vi: 'Giấy chứng sinh', en: 'Birth certificate', find: (c) => (c.has('XML9') ? ['XML1', 'XML9'] : []) },
  { key: 'giay-bao-tu', vi: 'Giấy báo tử', en: 'Death notice', find: (c) => { const t = byPattern(c, /BAO_?TU|DEATH|báo tử/i); return t.length ? ['XML1', t[0]] : []; } },
  { key: 'kham-suc-khoe-lai-xe', vi: 'Giấy khám sức khỏe lái xe', en: 'Driving-licence health check', find: (c) => { const t = byPattern(c, /LAI_?XE|DRIV|lái xe/i); return t.length ? ['XML1', t[0]] : []; } },
  { key: 'ho-so', vi: 'Cả hồ sơ (bảng 1)', en: 'A whole dossier (table 1)', find: (c) => (c.has('XML1') ? ['XML1'] : []) },
];

function inputFor(table: string, f: FieldDef, value: string, error?: Problem): SafeHtml {
  const id = `f-${table}-${f.name}`;
  const codes = codesOf(f);
  const hint = f.type === 'date' ? 'yyyyMMdd' : f.type === 'datetime' ? 'yyyyMMddHHmm' : f.type === 'number' ? '0–9' : '';
  const long = (f.maxLength ?? 0) > 255;
  const attrs = html` id="${id}" name="${table}.${f.name}" data-type="${f.type}"${f.maxLength ? html` maxlength="${f.maxLength}"` : ''}${f.required ? html` required` : ''}${codes && codes.length <= 200 ? html` data-codes="${codes.join('|')}"` : ''} aria-describedby="${id}-hint ${id}-err"${error ? html` aria-invalid="true"` : ''}`;
  return html`<div><label for="${id}">${f.name}${f.required ? html` <span aria-hidden="true">*</span>` : ''}</label>
<p class="hint" id="${id}-hint">${f.description ?? ''}${hint ? html` (${hint})` : ''}</p>
${long ? html`<textarea${attrs} rows="2">${value}</textarea>` : html`<input${attrs} value="${value}"${f.type === 'number' || f.type === 'date' || f.type === 'datetime' ? html` inputmode="numeric"` : ''}>`}
<p class="field-error" id="${id}-err" aria-live="polite">${error ? error.vi + ' / ' + error.en : ''}</p></div>`;
}

function formPage(ctx: PageCtx, kind: FormKind, tables: TableDef[], values: Record<string, string>, problems: Problem[], notice?: SafeHtml): string {
  const L = ctx.lang;
  const at = new Map<string, Problem>();
  for (const p of problems) {
    const m = /(XML\d+|[A-Z_]+)(?:\[\d+\])?\.([A-Z0-9_]+)$/.exec(p.path);
    if (m && !at.has(`${m[1]}.${m[2]}`)) at.set(`${m[1]}.${m[2]}`, p);
  }
  return page(ctx, {
    title: [kind.vi, kind.en],
    area: 'facility',
    nav: FACILITY_NAV,
    notice: html`${notice ?? ''}${problems.length ? alertBox('error', html`<p>${tr(L, 'Biểu mẫu có lỗi, xem từng trường bên dưới.', 'The form has problems; see each field below.')}</p>${problemList(ctx, problems)}`) : ''}`,
    body: html`<p class="hint">${tr(L, 'Các trường có dấu * là bắt buộc. Biểu mẫu kiểm tra khi bạn gõ theo quy tắc của danh mục chuẩn.', 'Fields marked * are required. The form checks as you type, with the standard catalogue’s rules.')}</p>
<form method="post" action="/co-so/nhap-tay/${kind.key}" data-validate novalidate>${csrfField(ctx)}
${tables.map((t) => html`<fieldset><legend>${t.code}${t.title ? html` — ${t.title}` : ''}</legend><div class="form-grid">${t.fields.map((f) => inputFor(t.code, f, values[`${t.code}.${f.name}`] ?? '', at.get(`${t.code}.${f.name}`)))}</div></fieldset>`)}
<fieldset><legend>${tr(L, 'Ký số', 'Signing')}</legend>
<p><input type="radio" id="sign-held" name="signer" value="held" checked> <label for="sign-held" class="inline">${tr(L, 'Ký bằng khóa của cơ sở do cổng giữ', 'Sign with the facility key held by the gateway')}</label></p>
<p><input type="radio" id="sign-upload" name="signer" value="upload"> <label for="sign-upload" class="inline">${tr(L, 'Ký bằng khóa tải lên (PEM)', 'Sign with an uploaded key (PEM)')}</label></p>
<label for="keyPem">${tr(L, 'Khóa riêng (PEM) — chỉ dùng cho lần ký này, không lưu', 'Private key (PEM) — used for this signature only, not stored')}</label><textarea id="keyPem" name="keyPem" rows="3" autocomplete="off"></textarea>
<label for="certPem">${tr(L, 'Chứng thư (PEM)', 'Certificate (PEM)')}</label><textarea id="certPem" name="certPem" rows="3"></textarea>
</fieldset>
<p><button type="submit">${tr(L, 'Kiểm tra, ký và gửi', 'Check, sign and send')}</button></p>
</form>`,
  });
}

export async function registerManualForms(app: FastifyInstance, deps: WebDeps): Promise<void> {
  const { db } = deps;
  const roles = ['facility'];
  pageRoute(app, deps, 'GET', '/co-so/nhap-tay', { area: 'facility', roles }, async (_req, _reply, ctx) => {
    const L = ctx.lang;
    const c = await catalogue();
    if (!c) return page(ctx, { title: ['Nhập tay giấy tờ', 'Manual forms'], area: 'facility', nav: FACILITY_NAV, body: unavailable(ctx, 'standard.TABLES') });
    return page(ctx, {
      title: ['Nhập tay giấy tờ', 'Manual forms'],
      area: 'facility',
      nav: FACILITY_NAV,
      body: html`<p>${tr(L, 'Dành cho cơ sở chưa xuất được dữ liệu từ phần mềm: nhập, ký số và gửi qua cùng quy trình tiếp nhận.', 'For a facility whose software cannot export: type, sign and send through the same receiving pipeline.')}</p>
<ul class="cards">${FORM_KINDS.map((k) => {
        const ok = k.find(c).length > 0;
        return html`<li class="card">${ok ? html`<a href="/co-so/nhap-tay/${k.key}">${tr(L, k.vi, k.en)}</a>` : html`${tr(L, k.vi, k.en)} — <span class="meta">${tr(L, 'danh mục chưa có bảng này', 'the catalogue has no such table yet')}</span>`}</li>`;
      })}</ul>`,
    });
  });

  const resolve = async (key: string): Promise<{ kind: FormKind; tables: TableDef[] }> => {
    const kind = FORM_KINDS.find((k) => k.key === key);
    const c = await catalogue();
    if (!kind || !c) throw ProblemError.of(WEB.WEB_NOT_FOUND, 'kind');
    const codes = kind.find(c);
    if (!codes.length) throw ProblemError.of(WEB.WEB_NOT_FOUND, 'kind');
    return { kind, tables: codes.map((x) => c.get(x)!).filter(Boolean) };
  };

  pageRoute(app, deps, 'GET', '/co-so/nhap-tay/:kind', { area: 'facility', roles }, async (req, _reply, ctx) => {
    const { kind, tables } = await resolve((req.params as { kind: string }).kind);
    return formPage(ctx, kind, tables, {}, []);
  });

  pageRoute(app, deps, 'POST', '/co-so/nhap-tay/:kind', { area: 'facility', roles }, async (req, reply, ctx) => {
    const { kind, tables } = await resolve((req.params as { kind: string }).kind);
    const macskcb = facilityOf(ctx.user);
    const values: Record<string, string> = {};
    const dossierTables: Partial<Record<TableCode, Row[]>> = {};
    for (const t of tables) {
      const row: Row = {};
      for (const f of t.fields) {
        const v = field(req.body, `${t.code}.${f.name}`, Math.max(f.maxLength ?? 4096, 16) * 2);
        values[`${t.code}.${f.name}`] = v;
        row[f.name] = v;
      }
      dossierTables[t.code as TableCode] = [row];
    }
    const today = new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10).replace(/-/g, '');
    const pkg = { macskcb, ngayLap: today, dossiers: [{ tables: dossierTables }] };
    const validate = await domainFn('standard', 'validatePackage');
    const build = await domainFn('standard', 'buildPackage');
    if (!validate || !build) return formPage(ctx, kind, tables, values, [], unavailable(ctx, 'standard.validatePackage/buildPackage'));
    const v = (await validate(pkg)) as { valid: boolean; problems: Problem[]; dossiers?: { problems: Problem[] }[] };
    const problems = [...(v.problems ?? []), ...(v.dossiers ?? []).flatMap((d) => d.problems ?? [])].filter((p, i, a) => a.findIndex((q) => q.code === p.code && q.path === p.path) === i);
    if (!v.valid) {
      reply.code(400);
      return formPage(ctx, kind, tables, values, problems.filter((p) => p.severity === 'error'));
    }
    const unsigned = (await build(pkg)) as Buffer;
    let signed: Buffer;
    const mode = field(req.body, 'signer', 10);
    if (mode === 'upload') {
      const signXml = await domainFn('signature', 'signXml');
      const fromPem = await domainFn('signature', 'signerFromPem');
      if (!signXml || !fromPem) return formPage(ctx, kind, tables, values, [], unavailable(ctx, 'signature.signXml'));
      const signer = await fromPem(field(req.body, 'keyPem', 64 * 1024), field(req.body, 'certPem', 64 * 1024));
      signed = (await signXml(unsigned, signer)) as Buffer;
    } else {
      const held = await domainFn('gateway', 'signWithFacilityKey');
      if (!held) return formPage(ctx, kind, tables, values, [], unavailable(ctx, 'gateway.signWithFacilityKey'));
      signed = (await held(db, macskcb, unsigned)) as Buffer;
    }
    const submit = await domainFn('gateway', 'receivePackage');
    if (!submit) return formPage(ctx, kind, tables, values, [], unavailable(ctx, 'gateway.receivePackage'));
    const receipt = await submit(db, signed, { macskcb, config: deps.config });
    return page(ctx, { title: [kind.vi, kind.en], area: 'facility', nav: FACILITY_NAV, body: await receiptView(ctx, receipt) });
  });
}
