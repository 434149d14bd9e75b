// The small local page (Vietnamese first): queue, errors explained, today's timeliness.
import type { ConnectorStatus } from './status.ts';
import { allErrorDefs } from '../errors/index.ts';

const esc = (s: unknown) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function renderPage(s: ConnectorStatus, queue: { maLk: string; state: string; receivedAt: string; attempts: number }[]): string {
  const fixes = new Map(allErrorDefs().map((d) => [d.code, d.fix]));
  const i = s.items;
  const t = s.today;
  const card = (label: string, v: number | string, cls = '') => `<div class="card ${cls}"><div class="n">${esc(v)}</div><div class="l">${label}</div></div>`;
  return `<!doctype html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="refresh" content="5"><title>Connector ${esc(s.macskcb)} — Sổ sức khỏe điện tử</title>
<style>body{font-family:system-ui,sans-serif;margin:1.5rem;color:#1b1b1b;max-width:70rem}h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:1.6rem}
.en{color:#666;font-size:.85em}.cards{display:flex;flex-wrap:wrap;gap:.6rem}.card{border:1px solid #ccc;border-radius:.4rem;padding:.6rem .9rem;min-width:8rem}
.card .n{font-size:1.6rem;font-weight:600}.warn{border-color:#d08000}.bad{border-color:#c00}.ok{border-color:#2a7}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left;font-size:.9rem;vertical-align:top}</style></head><body>
<h1>Connector cơ sở ${esc(s.macskcb)} <span class="en">facility connector</span></h1>
<p>Gửi tới / sending to: <code>${esc(s.target)}</code> · cập nhật / updated ${esc(s.at)}</p>
<h2>Hàng đợi <span class="en">queue</span></h2>
<div class="cards">${card('Chờ gửi <span class="en">queued</span>', i.queued, i.queued ? 'warn' : '')}${card('Đang gửi <span class="en">sending</span>', i.sending, i.sending ? 'warn' : '')}${card('Đã tiếp nhận <span class="en">accepted</span>', i.accepted, 'ok')}${card('Bị từ chối <span class="en">rejected</span>', i.rejected, i.rejected ? 'bad' : '')}${card('Lỗi, cần xử lý <span class="en">failed</span>', i.failed, i.failed ? 'bad' : '')}${card('Đã thay thế <span class="en">replaced</span>', i.replaced)}${card('Tệp lỗi <span class="en">rejected files</span>', s.files.rejected, s.files.rejected ? 'bad' : '')}</div>
${s.packages.lastError ? `<p class="warn">⚠ ${esc(s.packages.lastError.vi)} <span class="en">${esc(s.packages.lastError.en)}</span> — lần thử tới / next attempt ${esc(s.packages.nextAttemptAt)}</p>` : ''}
<h2>Hôm nay ${esc(t.date)} — thời gian từ khi kết thúc khám/ra viện đến khi được tiếp nhận <span class="en">today: minutes from end of visit to acceptance</span></h2>
<div class="cards">${card('Được tiếp nhận <span class="en">accepted</span>', t.accepted)}${card('Trung vị (phút) <span class="en">median min</span>', t.medianMinutes ?? '–')}${card('P90 (phút) <span class="en">p90 min</span>', t.p90Minutes ?? '–')}${card('Tối đa (phút) <span class="en">max min</span>', t.maxMinutes ?? '–')}${card('Trong 24 giờ <span class="en">within 24 h</span>', `${t.within24h}/${t.withVisitEnd}`)}</div>
<h2>Lỗi và cách xử lý <span class="en">errors explained</span></h2>
${s.errors.length ? `<table><tr><th>MA_LK</th><th>Trạng thái <span class="en">state</span></th><th>Lỗi <span class="en">problem</span></th><th>Cách xử lý <span class="en">what to do</span></th></tr>${s.errors
    .map((e) => `<tr><td>${esc(e.maLk)}</td><td>${esc(e.state)}</td><td>${e.problems.map((p) => `<b>${esc(p.code)}</b> ${esc(p.path)}<br>${esc(p.vi)}<br><span class="en">${esc(p.en)}</span>`).join('<hr>')}</td><td>${e.problems.map((p) => esc(fixes.get(p.code) ?? '')).join('<br>')}</td></tr>`)
    .join('')}</table>` : '<p>Không có lỗi <span class="en">no errors</span></p>'}
${s.rejectedFiles.length ? `<h3>Tệp lỗi (xem báo cáo .loi.txt trong thư mục rejected) <span class="en">rejected files — see the .loi.txt report in the rejected folder</span></h3><ul>${s.rejectedFiles.map((f) => `<li>${esc(f.name)} — ${f.problems} lỗi tệp / file problems, ${f.dossiers} hồ sơ lỗi / dossiers</li>`).join('')}</ul>` : ''}
<h2>Đang chờ <span class="en">waiting</span></h2>
${queue.length ? `<table><tr><th>MA_LK</th><th>Trạng thái <span class="en">state</span></th><th>Nhận lúc <span class="en">received</span></th><th>Số lần gửi <span class="en">attempts</span></th></tr>${queue.map((q) => `<tr><td>${esc(q.maLk)}</td><td>${esc(q.state)}</td><td>${esc(q.receivedAt)}</td><td>${q.attempts}</td></tr>`).join('')}</table>` : '<p>Hàng đợi trống <span class="en">queue empty</span></p>'}
</body></html>`;
}
