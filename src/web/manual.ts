// Manual path for a facility whose HIS cannot export: a form built from the catalogue's field
// rules (type, length, required, code list) that validates as you type, then on the server with
// the same validator as the gateway. Birth certificates (XML9) and whole dossiers (XML1) become a
// GIAMDINHHS package; death notices and driving-licence health checks their own document
// (src/standard/certificates.ts). Each is signed (the facility key held by the gateway, or an
// uploaded key) and sent through the gateway's receiving pipeline like any HIS submission.
import type { FastifyInstance } from 'fastify';
import { ProblemError, type Problem } from '../errors/index.ts';
import { CODE_LISTS, TABLES, CERTIFICATES, buildPackage, validatePackage, buildCertificateDoc, validateCertificateRow, type Row, type TableCode } from '../standard/index.ts';
import { issueToken, revokeToken } from '../gateway/index.ts';
import { signerFromPem, signerFromPkcs12, signXml } from '../signature/index.ts';
import { alertBox, csrfField, page, problemList, unavailable } from './layout.ts';
import { domainFn } from './domains.ts';
import { WEB } from './errors.ts';
import { html, type SafeHtml } from './html.ts';
import { tr } from './i18n.ts';
import { field, pageRoute, type WebDeps } from './kit.ts';
import type { PageCtx } from './context.ts';
import { FACILITY_NAV, facilityOf, receiptView } from './facility.ts';

export interface FormField {
  name: string;
  type: 'string' | 'number' | 'date' | 'datetime';
  maxLength: number | null;
  required: boolean;
  /** Closed code list: the value must be one of these. */
  codes?: string[];
  description?: string;
}

export interface FormTable {
  code: string;
  title: string;
  fields: FormField[];
}

function stdTable(code: TableCode): FormTable {
  const t = TABLES[code];
  return {
    code,
    title: t.title,
    fields: t.fields.map((f) => {
      const list = f.codeList ? CODE_LISTS[f.codeList] : undefined;
      return { name: f.name, type: f.formats?.length === 1 ? f.formats[0] : f.type, maxLength: f.maxLength, required: f.required === true, codes: list && !list.open ? Object.keys(list.codes) : undefined };
    }),
  };
}

function certTable(kind: 'death_notice' | 'driving_check'): FormTable {
  const d = CERTIFICATES[kind];
  return { code: kind, title: d.title, fields: d.fields.map((f) => ({ name: f.name, type: f.type, maxLength: f.maxLength, required: f.required, codes: f.codeList, description: f.description })) };
}

/** The catalogue's description of a field, when it has one (for explaining receipt problems). */
export function fieldLabel(table: string, name: string): string | null {
  const t = (TABLES as Record<string, { title: string; fields: { name: string }[] } | undefined>)[table];
  return t && t.fields.some((f) => f.name === name) ? `${t.title}` : null;
}

interface FormKind {
  key: string;
  vi: string;
  en: string;
  tables: () => FormTable[];
  /** 'package': a GIAMDINHHS package; a certificate kind: its own signed document. Both through the gateway pipeline. */
  path: 'package' | 'death_notice' | 'driving_check';
}

export const FORM_KINDS: FormKind[] = [
  { key: 'giay-chung-sinh', vi: 'Giấy chứng sinh', en: 'Birth certificate', tables: () => [stdTable('XML1'), stdTable('XML9')], path: 'package' },
  { key: 'giay-bao-tu', vi: 'Giấy báo tử', en: 'Death notice', tables: () => [certTable('death_notice')], path: 'death_notice' },
  { key: 'kham-suc-khoe-lai-xe', vi: 'Giấy khám sức khỏe lái xe', en: 'Driving-licence health check', tables: () => [certTable('driving_check')], path: 'driving_check' },
  // A whole dossier: the summary plus one row each of medicines, services/supplies, results and
  // clinical progress; a table left entirely blank is left out of the package (XML1 never is).
  { key: 'ho-so', vi: 'Cả hồ sơ (bảng 1–5)', en: 'A whole dossier (tables 1–5)', tables: () => (['XML1', 'XML2', 'XML3', 'XML4', 'XML5'] as const).map((c) => stdTable(c)), path: 'package' },
];

function inputFor(table: string, f: FormField, value: string, error?: Problem): SafeHtml {
  const id = `f-${table}-${f.name}`;
  const hint = f.type === 'date' ? 'yyyyMMdd' : f.type === 'datetime' ? 'yyyyMMddHHmm' : f.type === 'number' ? '0–9' : '';
  const long = (f.maxLength ?? 0) > 255 || f.maxLength === null;
  const codes = f.codes && f.codes.length <= 300 ? f.codes : undefined;
  const attrs = html` id="${id}" name="${table}.${f.name}" data-type="${f.type}"${f.maxLength ? html` maxlength="${f.maxLength}"` : ''}${f.required ? html` required` : ''}${codes ? html` data-codes="${codes.join('|')}"` : ''} aria-describedby="${id}-hint ${id}-err"${error ? html` aria-invalid="true"` : ''}`;
  return html`<div><label for="${id}">${f.name}${f.required ? html` <span aria-hidden="true">*</span>` : ''}</label>
<p class="hint" id="${id}-hint">${f.description ?? ''}${hint ? html` (${hint})` : ''}${codes && codes.length <= 20 ? html` [${codes.join(', ')}]` : ''}</p>
${long ? html`<textarea${attrs} rows="2">${value}</textarea>` : html`<input${attrs} value="${value}"${f.type !== 'string' ? html` inputmode="numeric"` : ''}>`}
<p class="field-error" id="${id}-err" aria-live="polite">${error ? `${error.vi} / ${error.en}` : ''}</p></div>`;
}

/** The form's key for a problem path: "…XML9[0].HO_TEN_CON" → "XML9.HO_TEN_CON", "death_notice.SO" stays. */
function problemKey(path: string): string | null {
  const m = /([A-Za-z0-9_]+)(?:\[\d+\])?\.([A-Z0-9_]+)$/.exec(path);
  return m ? `${m[1]}.${m[2]}` : null;
}

function formPage(ctx: PageCtx, kind: FormKind, values: Record<string, string>, problems: Problem[], notice?: SafeHtml, heldKey = false): string {
  const L = ctx.lang;
  const at = new Map<string, Problem>();
  for (const p of problems) {
    const k = problemKey(p.path);
    if (k && !at.has(k)) at.set(k, p);
  }
  const signing = html`<fieldset><legend>${tr(L, 'Ký số', 'Signing')}</legend>
<p><input type="radio" id="sign-held" name="signer" value="held"${heldKey ? html` checked` : html` disabled aria-describedby="held-note"`}> <label for="sign-held" class="inline">${tr(L, 'Ký bằng khóa của cơ sở do cổng giữ', 'Sign with the facility key held by the gateway')}</label>${heldKey ? '' : html` <span class="hint" id="held-note">(${tr(L, 'máy chủ này chưa giữ khóa của cơ sở', 'this server holds no facility key yet')})</span>`}</p>
<p><input type="radio" id="sign-upload" name="signer" value="upload"${heldKey ? '' : html` checked`}> <label for="sign-upload" class="inline">${tr(L, 'Ký bằng khóa tải lên (PEM)', 'Sign with an uploaded key (PEM)')}</label></p>
<label for="keyPem">${tr(L, 'Khóa riêng (PEM) — chỉ dùng cho lần ký này, không lưu', 'Private key (PEM) — used for this signature only, not stored')}</label><textarea id="keyPem" name="keyPem" rows="3" autocomplete="off"></textarea>
<label for="certPem">${tr(L, 'Chứng thư (PEM)', 'Certificate (PEM)')}</label><textarea id="certPem" name="certPem" rows="3"></textarea>
<p><input type="radio" id="sign-p12" name="signer" value="p12"> <label for="sign-p12" class="inline">${tr(L, 'Ký bằng tệp PKCS#12 (.p12/.pfx) tải lên', 'Sign with an uploaded PKCS#12 file (.p12/.pfx)')}</label></p>
<label for="p12File">${tr(L, 'Tệp .p12/.pfx — chỉ dùng cho lần ký này, không lưu', '.p12/.pfx file — used for this signature only, not stored')}</label><input type="file" id="p12File" name="p12File" accept=".p12,.pfx,application/x-pkcs12">
<label for="p12Pass">${tr(L, 'Mật khẩu tệp', 'File passphrase')}</label><input type="password" id="p12Pass" name="p12Pass" autocomplete="off">
</fieldset>`;
  return page(ctx, {
    title: [kind.vi, kind.en],
    area: 'facility',
    nav: FACILITY_NAV,
    notice: html`${notice ?? ''}${problems.length ? alertBox('error', html`<p>${tr(L, 'Biểu mẫu có lỗi, xem từng trường bên dưới.', 'The form has problems; see each field below.')}</p>${problemList(ctx, problems)}`) : ''}`,
    body: html`<p class="hint">${tr(L, 'Các trường có dấu * là bắt buộc. Biểu mẫu kiểm tra khi bạn gõ theo quy tắc của danh mục chuẩn, và kiểm tra lại trên máy chủ trước khi gửi.', 'Fields marked * are required. The form checks as you type with the standard catalogue’s rules, and again on the server before sending.')}</p>
<form method="post" action="/co-so/nhap-tay/${kind.key}" enctype="multipart/form-data" data-validate novalidate>${csrfField(ctx)}
${kind.tables().map((t, i) => html`<fieldset${kind.key === 'ho-so' && i > 0 ? html` data-optional` : ''}><legend>${t.code} — ${t.title}</legend><div class="form-grid">${t.fields.map((f) => inputFor(t.code, f, values[`${t.code}.${f.name}`] ?? '', at.get(`${t.code}.${f.name}`)))}</div></fieldset>`)}
${signing}
${kind.path !== 'package' ? html`<p><input type="checkbox" id="replace" name="replace" value="1"${values.replace === '1' ? html` checked` : ''}> <label for="replace" class="inline">${tr(L, 'Bản thay thế: sửa giấy cùng số đã gửi (bản cũ vẫn lưu trong lịch sử)', 'Replacement: corrects the document of the same number already sent (the earlier one stays in the history)')}</label></p>` : ''}
<p><button type="submit">${tr(L, 'Kiểm tra, ký và gửi', 'Check, sign and send')}</button></p>
</form>`,
  });
}

export async function registerManualForms(app: FastifyInstance, deps: WebDeps & { gateway?: Record<string, unknown> }): Promise<void> {
  const { db } = deps;
  const roles = ['facility'];
  pageRoute(app, deps, 'GET', '/co-so/nhap-tay', { area: 'facility', roles }, async (_req, _reply, ctx) => {
    const L = ctx.lang;
    return page(ctx, {
      title: ['Nhập tay giấy tờ', 'Manual forms'],
      area: 'facility',
      nav: FACILITY_NAV,
      body: html`<p>${tr(L, 'Dành cho cơ sở chưa xuất được dữ liệu từ phần mềm: nhập, kiểm tra, ký số và gửi.', 'For a facility whose software cannot export: type, check, sign and send.')}</p>
<ul class="cards">${FORM_KINDS.map((k) => html`<li class="card"><a href="/co-so/nhap-tay/${k.key}">${tr(L, k.vi, k.en)}</a></li>`)}</ul>`,
    });
  });

  const kindOf = (key: string): FormKind => {
    const kind = FORM_KINDS.find((k) => k.key === key);
    if (!kind) throw ProblemError.of(WEB.WEB_NOT_FOUND, 'kind');
    return kind;
  };

  const held = async () => !!(await domainFn('gateway', 'signAsFacility'));
  pageRoute(app, deps, 'GET', '/co-so/nhap-tay/:kind', { area: 'facility', roles }, async (req, _reply, ctx) => formPage(ctx, kindOf((req.params as { kind: string }).kind), {}, [], undefined, await held()));

  pageRoute(app, deps, 'POST', '/co-so/nhap-tay/:kind', { area: 'facility', roles }, async (req, reply, ctx) => {
    const kind = kindOf((req.params as { kind: string }).kind);
    const macskcb = facilityOf(ctx.user);
    const values: Record<string, string> = {};
    const rows: Record<string, Row> = {};
    for (const t of kind.tables()) {
      const row: Row = {};
      for (const f of t.fields) {
        const v = field(req.body, `${t.code}.${f.name}`, Math.min(Math.max(f.maxLength ?? 8000, 16) * 2, 64 * 1024));
        values[`${t.code}.${f.name}`] = v;
        if (v !== '' || kind.path === 'package') row[f.name] = v;
      }
      rows[t.code] = row;
    }
    if (kind.path !== 'package') values.replace = field(req.body, 'replace', 5) === '1' ? '1' : '';
    const heldKey = await held();
    const fail = (problems: Problem[]) => formPage(ctx, kind, values, problems, undefined, heldKey);

    const today = new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10).replace(/-/g, '');
    let unsigned: Buffer;
    if (kind.path !== 'package') {
      // A death notice or driving-licence health check: the standard's field rules, then its own document.
      const row = rows[kind.path];
      const problems = validateCertificateRow(kind.path, row);
      if (row.MA_CSKCB && row.MA_CSKCB.toUpperCase() !== macskcb.toUpperCase()) problems.push(...ProblemError.of(WEB.WEB_FACILITY_MISMATCH, `${kind.path}.MA_CSKCB`, { expected: macskcb }).problems);
      if (problems.length) return fail(problems);
      unsigned = buildCertificateDoc(kind.path, row);
    } else {
      const tables: Partial<Record<TableCode, Row[]>> = {};
      for (const [code, row] of Object.entries(rows)) {
        if (code !== 'XML1' && Object.values(row).every((v) => v === '')) continue;
        tables[code as TableCode] = [row];
      }
      const pkg = { macskcb, ngayLap: today, dossiers: [{ tables }] };
      const v = validatePackage(pkg);
      const problems = [...v.problems, ...v.dossiers.flatMap((d) => d.problems)].filter((p, i, a) => a.findIndex((q) => q.code === p.code && q.path === p.path) === i);
      if (!v.valid) return fail(problems.filter((p) => p.severity === 'error'));
      unsigned = buildPackage(pkg);
    }
    let signed: Buffer;
    const how = field(req.body, 'signer', 10);
    if (how === 'upload' || how === 'p12') {
      try {
        let signer;
        if (how === 'p12') {
          const file = (req.body as Record<string, unknown> | undefined)?.p12File;
          if (!Buffer.isBuffer(file) || !file.byteLength) return fail(ProblemError.of(WEB.WEB_FIELD_REQUIRED, 'p12File', { field: 'p12File' }).problems);
          signer = signerFromPkcs12(file, field(req.body, 'p12Pass', 1024));
        } else signer = await signerFromPem(field(req.body, 'keyPem', 64 * 1024), field(req.body, 'certPem', 64 * 1024));
        signed = await signXml(unsigned, signer);
      } catch (e) {
        if (e instanceof ProblemError) return fail(e.problems);
        throw e;
      }
    } else {
      const signAs = await domainFn('gateway', 'signAsFacility');
      if (!signAs) return formPage(ctx, kind, values, [], unavailable(ctx, 'gateway.signAsFacility (facility key held by the gateway)'), heldKey);
      signed = (await signAs(db, macskcb, unsigned)) as Buffer;
    }
    // The same receiving pipeline as every HIS: POST /api/v1/packages (or /api/v1/certificates) with
    // a token of this facility that lives for this one submission.
    const t = await issueToken(db, macskcb, { name: 'web-manual-form', scopes: ['submit'], expiresAt: new Date(Date.now() + 5 * 60_000) });
    let res;
    try {
      res = await app.inject({ method: 'POST', url: kind.path === 'package' ? '/api/v1/packages' : '/api/v1/certificates', headers: { 'content-type': 'application/xml', authorization: `Bearer ${t.token}`, ...(values.replace === '1' ? { 'x-replaces': '1' } : {}) }, payload: signed });
    } finally {
      await revokeToken(db, t.info.id);
    }
    const body = res.json() as { problems?: Problem[] } & Parameters<typeof receiptView>[1];
    if (res.statusCode !== 200) return formPage(ctx, kind, values, body.problems ?? [], undefined, heldKey);
    const r = { receipt: body };
    return page(ctx, { title: [kind.vi, kind.en], area: 'facility', nav: FACILITY_NAV, body: await receiptView(ctx, r.receipt) });
  });
}
