// Receiving a patient at a facility: match by CCCD / personal ID / BHYT card (a book is
// released only on a single certain match), present the citizen's consent code, read the book
// under that consent; recent results elsewhere. Identifiers travel in POST bodies only.
import type { FastifyInstance } from 'fastify';
import { ProblemError } from '../errors/index.ts';
import { alertBox, csrfField, page, problemList, unavailable } from './layout.ts';
import { actorFromPrincipal, claimConsent } from '../access/index.ts';
import { getBook, receivePatient, recentResults, verifyShown, type BookEntry } from '../healthbook/index.ts';
import { kindLabel } from './citizen.ts';
import { fmtDateTime } from './i18n.ts';
import { WEB } from './errors.ts';
import { html, type SafeHtml } from './html.ts';
import { tr } from './i18n.ts';
import { field, pageRoute, type WebDeps } from './kit.ts';
import type { PageCtx } from './context.ts';
import { FACILITY_NAV } from './facility.ts';

const KINDS: [string, string, string][] = [
  ['cccd', 'Số CCCD (căn cước công dân)', 'Citizen ID card number (CCCD)'],
  ['personal_id', 'Số định danh cá nhân', 'Personal ID number'],
  ['bhyt', 'Số thẻ BHYT', 'Health-insurance (BHYT) card number'],
];

function receiveForm(ctx: PageCtx, values: Record<string, string> = {}): SafeHtml {
  const L = ctx.lang;
  return html`<form method="post" action="/co-so/benh-nhan" class="card">${csrfField(ctx)}
<fieldset><legend>${tr(L, 'Người bệnh xuất trình', 'The patient shows')}</legend>
${KINDS.map(([k, vi, en], i) => html`<p><input type="radio" id="kind-${k}" name="kind" value="${k}"${(values.kind ?? 'cccd') === k || (!values.kind && i === 0) ? html` checked` : ''}> <label class="inline" for="kind-${k}">${tr(L, vi, en)}</label></p>`)}
</fieldset>
<label for="idValue">${tr(L, 'Số giấy tờ', 'Document number')}</label><input id="idValue" name="idValue" required maxlength="20" autocomplete="off" value="${values.idValue ?? ''}">
<label for="consentCode">${tr(L, 'Mã đồng ý do người bệnh cung cấp', 'Consent code the patient gives you')}</label><p class="hint" id="consentCode-hint">${tr(L, 'Không cần nếu cơ sở đã có đồng ý còn hiệu lực (mã chữ hoặc nội dung mã QR).', 'Not needed when the facility already holds an active consent (the code, or the QR text).')}</p><input id="consentCode" name="consentCode" maxlength="64" aria-describedby="consentCode-hint" autocomplete="off" value="">
<label for="purpose">${tr(L, 'Mục đích', 'Purpose')}</label><input id="purpose" name="purpose" maxlength="200" value="${values.purpose ?? tr(L, 'Khám chữa bệnh', 'Treatment')}">
<p><button type="submit">${tr(L, 'Tiếp nhận và xem sổ', 'Receive and read the book')}</button></p></form>`;
}

export async function registerPatient(app: FastifyInstance, deps: WebDeps): Promise<void> {
  const { db } = deps;
  const roles = ['facility', 'doctor'];
  const P = (ctx: PageCtx, body: SafeHtml, notice?: SafeHtml) => page(ctx, { title: ['Tiếp nhận người bệnh', 'Receive a patient'], area: 'facility', nav: FACILITY_NAV, body, notice });

  pageRoute(app, deps, 'GET', '/co-so/benh-nhan', { area: 'facility', roles }, async (_req, _reply, ctx) => P(ctx, receiveForm(ctx)));

  // Verify a referral or appointment the patient shows (the text its QR code carries).
  const verifyForm = (ctx: PageCtx) => {
    const L = ctx.lang;
    return html`<form method="post" action="/co-so/kiem-tra-giay" class="card">${csrfField(ctx)}
<label for="qr">${tr(L, 'Nội dung mã QR (quét bằng đầu đọc hoặc dán vào)', 'QR code text (scan with a reader or paste)')}</label>
<textarea id="qr" name="qr" rows="4" required maxlength="4000" autocomplete="off"></textarea>
<p><button type="submit">${tr(L, 'Kiểm tra', 'Verify')}</button></p></form>`;
  };
  const VP = (ctx: PageCtx, body: SafeHtml, notice?: SafeHtml) => page(ctx, { title: ['Kiểm tra giấy chuyển tuyến, giấy hẹn', 'Verify a referral or appointment'], area: 'facility', nav: FACILITY_NAV, body, notice });
  pageRoute(app, deps, 'GET', '/co-so/kiem-tra-giay', { area: 'facility', roles }, async (_req, _reply, ctx) => VP(ctx, verifyForm(ctx)));
  pageRoute(app, deps, 'POST', '/co-so/kiem-tra-giay', { area: 'facility', roles }, async (req, _reply, ctx) => {
    const L = ctx.lang;
    const v = await verifyShown(db, actorFromPrincipal(ctx.user), field(req.body, 'qr', 4000));
    if (!v.ok) return VP(ctx, verifyForm(ctx), alertBox('error', html`<p>${tr(L, 'Mã QR không hợp lệ.', 'The QR code is not valid.')}</p>${problemList(ctx, [v.reason])}`));
    const p = v.payload;
    const status = v.status === 'current' ? tr(L, 'còn hiệu lực (bản mới nhất)', 'current (latest version)') : v.status === 'replaced' ? tr(L, 'đã được thay thế bằng bản mới hơn', 'replaced by a newer version') : tr(L, 'không tìm thấy trên máy chủ', 'not found on the server');
    const d = (s: string) => (s && s.length >= 8 ? `${s.slice(6, 8)}/${s.slice(4, 6)}/${s.slice(0, 4)}${s.length >= 12 ? ` ${s.slice(8, 10)}:${s.slice(10, 12)}` : ''}` : s);
    return VP(ctx, html`<dl class="card">
<dt>${tr(L, 'Loại giấy', 'Paper')}</dt><dd>${p.t === 'R' ? tr(L, 'Giấy chuyển tuyến', 'Referral') : tr(L, 'Giấy hẹn khám lại', 'Re-examination appointment')} ${tr(L, 'số', 'no.')} ${p.n}</dd>
<dt>${tr(L, 'Người bệnh', 'Patient')}</dt><dd>${p.nm} · ${d(p.b)}</dd>
<dt>${tr(L, 'Cơ sở cấp', 'Issued by')}</dt><dd><code>${p.f}</code> · ${d(p.d)}</dd>
<dt>${tr(L, 'Chẩn đoán', 'Diagnosis')}</dt><dd>${p.dx}</dd>
${p.to ? html`<dt>${tr(L, 'Chuyển đến', 'Referred to')}</dt><dd><code>${p.to}</code></dd>` : ''}${p.at ? html`<dt>${tr(L, 'Hẹn khám lúc', 'Appointment at')}</dt><dd>${d(p.at)}</dd>` : ''}
<dt>${tr(L, 'Tình trạng', 'Status')}</dt><dd>${status}</dd></dl>${verifyForm(ctx)}`, alertBox('ok', tr(L, 'Chữ ký số hợp lệ.', 'The digital signature is valid.')));
  });

  pageRoute(app, deps, 'POST', '/co-so/benh-nhan', { area: 'facility', roles }, async (req, reply, ctx) => {
    const L = ctx.lang;
    const values = { kind: field(req.body, 'kind', 20), idValue: field(req.body, 'idValue', 20), consentCode: field(req.body, 'consentCode', 64), purpose: field(req.body, 'purpose', 200) };
    if (!values.idValue) throw ProblemError.of(WEB.WEB_FIELD_REQUIRED, 'body.idValue', { field: tr(L, 'Số giấy tờ', 'Document number') });
    const actor = actorFromPrincipal(ctx.user);
    const input = values.kind === 'bhyt' ? { bhytCard: values.idValue } : values.kind === 'personal_id' ? { personalId: values.idValue } : { cccd: values.idValue };
    try {
      let match = await receivePatient(db, actor, input);
      if (!match.consent.active && values.consentCode) {
        const c = await claimConsent(db, actor, values.consentCode);
        if (c.personalId !== match.personalId) throw ProblemError.of(WEB.WEB_FIELD_INVALID, 'body.consentCode', { field: tr(L, 'Mã đồng ý', 'Consent code'), rule: 'consent of this patient', detail: tr(L, 'mã không thuộc người bệnh này', 'the code belongs to another person') });
        match = await receivePatient(db, actor, input);
      }
      if (!match.consent.active) {
        return P(ctx, receiveForm(ctx, values), alertBox('error', html`${tr(L, 'Đã xác định đúng người bệnh nhưng chưa có đồng ý còn hiệu lực. Hãy nhập mã đồng ý người bệnh cung cấp.', 'The patient was matched, but there is no active consent. Enter the consent code the patient gives you.')}`));
      }
      const purpose = values.purpose || 'treatment';
      const book = await getBook(db, actor, match.personalId, { purpose, limit: 500 });
      const recent = await recentResults(db, actor, match.personalId, { days: 90, purpose }).catch((e: unknown) => (e instanceof ProblemError ? e : Promise.reject(e)));
      return P(ctx, html`${alertBox('ok', tr(L, 'Đã tiếp nhận: trùng khớp chắc chắn, có đồng ý của người bệnh.', 'Received: a single certain match, under the patient’s consent.'))}
<p class="card"><strong>${match.person.fullName}</strong> · ${tr(L, 'Ngày sinh', 'Born')} ${match.person.birth.slice(6, 8)}/${match.person.birth.slice(4, 6)}/${match.person.birth.slice(0, 4)}</p>
<h2>${tr(L, 'Kết quả gần đây ở cơ sở khác (90 ngày)', 'Recent results elsewhere (90 days)')}</h2>
${recent instanceof ProblemError ? problemList(ctx, recent.problems) : entryList(ctx, recent)}
<h2>${tr(L, 'Sổ sức khỏe', 'Health book')}</h2>
${entryList(ctx, book.entries.filter((e) => e.kind !== 'admin'))}`);
    } catch (e) {
      if (e instanceof ProblemError) {
        return P(ctx, receiveForm(ctx, values), alertBox('error', problemList(ctx, e.problems)));
      }
      throw e;
    }
  });
}

function entryList(ctx: PageCtx, entries: BookEntry[]): SafeHtml {
  const L = ctx.lang;
  if (!entries.length) return html`<p>${tr(L, 'Không có mục nào.', 'No entries.')}</p>`;
  return html`<ul class="cards">${entries.slice(0, 300).map(
    (e) => html`<li class="card"><h3>${kindLabel(L, e.kind)}: ${e.title}</h3><p class="meta">${fmtDateTime(L, e.occurredAt)} · <code>${e.macskcb}</code></p></li>`,
  )}</ul>`;
}
