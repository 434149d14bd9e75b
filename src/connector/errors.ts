// Error codes of the connector (CON_): what went wrong with a file, a send or the configuration.
import { defineErrors } from '../errors/index.ts';

export const CON = defineErrors({
  CON_CONFIG: { status: 400, rule: '{rule}', vi: 'Cấu hình connector không hợp lệ: {detail}', en: 'Invalid connector configuration: {detail}', fix: 'Edit connector.json (ssk connector init writes a template).' },
  CON_FILE_KIND: { status: 400, rule: 'root ∈ {GIAMDINHHS, CHI_TIEU_TRANG_THAI_KCB, CHI_TIEU_GIAM_DINH_YKHOA}', vi: 'Tệp không phải gói hồ sơ GIAMDINHHS, bảng check-in XML0 hay bảng giám định y khoa XML12', en: 'The file is neither a GIAMDINHHS package, an XML0 check-in document nor an XML12 medical-assessment document', fix: 'Export the visit as a GIAMDINHHS package (or a check-in / medical-assessment document) from the HIS.' },
  CON_FILE_TOO_LARGE: { status: 413, rule: 'size ≤ {limit} bytes', vi: 'Tệp quá lớn (giới hạn {limit} byte)', en: 'The file is too large (limit {limit} bytes)', fix: 'Export fewer dossiers per file.' },
  CON_FACILITY: { status: 400, rule: 'MACSKCB = {expected}', vi: 'Mã cơ sở trong tệp ({found}) khác mã cơ sở của connector ({expected})', en: 'The facility code in the file ({found}) differs from the connector facility ({expected})', fix: 'Check the HIS export settings (MACSKCB).' },
  CON_DUPLICATE: { status: 200, severity: 'warning', rule: 'one dossier version once', vi: 'Hồ sơ này (cùng nội dung) đã được nhận trước đó, không gửi lại', en: 'This dossier (same content) was already received; it is not sent again' },
  CON_GATEWAY_DOWN: { status: 503, rule: 'gateway reachable', vi: 'Không kết nối được cổng tiếp nhận; sẽ tự gửi lại', en: 'The gateway cannot be reached; sending will be retried automatically', fix: 'Check the network and the gateway address; nothing needs to be done, the connector retries.' },
  CON_GATEWAY_BUSY: { status: 503, rule: 'HTTP {status}', vi: 'Cổng tiếp nhận đang bận hoặc lỗi (HTTP {status}); sẽ tự gửi lại', en: 'The gateway is busy or failing (HTTP {status}); sending will be retried automatically' },
  CON_AUTH: { status: 401, rule: 'valid facility credentials', vi: 'Cổng tiếp nhận từ chối thông tin xác thực của cơ sở', en: 'The gateway refused the facility credentials', fix: 'Check the API token (or username/password) in connector.json, then run `ssk connector resend --failed`.' },
  CON_SEND_REFUSED: { status: 400, rule: 'gateway accepts the request', vi: 'Cổng tiếp nhận từ chối yêu cầu: {detail}', en: 'The gateway refused the request: {detail}', fix: 'Read the detail; fix the data in the HIS and export it again.' },
  CON_REJECTED: { status: 400, rule: 'gateway validation', vi: 'Cổng tiếp nhận từ chối hồ sơ: {detail}', en: 'The gateway rejected the dossier: {detail}', fix: 'Fix the dossier in the HIS and export it again; it is sent as a replacement.' },
  CON_OUTCOME_UNKNOWN: { status: 409, rule: 'known outcome', vi: 'Không rõ cổng đã nhận gói hay chưa (connector dừng giữa chừng); cần người kiểm tra', en: 'Unknown whether the gateway received the package (the connector stopped mid-send); held for a person', fix: 'Check the gateway portal, then `ssk connector resend <MA_LK>` if it is missing.' },
  CON_SIGN: { status: 500, rule: 'signing works', vi: 'Không ký được gói hồ sơ: {detail}', en: 'Could not sign the package: {detail}', fix: 'Check the certificate and key in connector.json.' },
  CON_NOT_FOUND: { status: 404, rule: 'known MA_LK', vi: 'Không tìm thấy hồ sơ {maLk} trong connector', en: 'Dossier {maLk} is not known to the connector' },
  CON_RECONCILE: { status: 502, rule: 'reconciliation API', vi: 'Không đối soát được với cổng tiếp nhận: {detail}', en: 'Could not reconcile with the gateway: {detail}' },
});
