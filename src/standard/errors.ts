// Every problem the standard module reports, declared once. Codes are stable; never reuse one.
import { defineErrors } from '../errors/index.ts';

export const STD = defineErrors({
  // (a) structure
  STD_ROOT: { rule: 'root element {expected}', vi: 'Phần tử gốc phải là {expected}, nhận được {found}', en: 'The root element must be {expected}, found {found}' },
  STD_ELEMENT_MISSING: { rule: '{element} present', vi: 'Thiếu phần tử {element}', en: 'Element {element} is missing' },
  STD_ELEMENT_UNKNOWN: { rule: 'known elements only', vi: 'Phần tử không thuộc chuẩn: {element}', en: 'Element not in the standard: {element}' },
  STD_ELEMENT_REPEATED: { rule: '{element} once', vi: 'Phần tử {element} xuất hiện nhiều lần', en: 'Element {element} appears more than once' },
  STD_FIELD_NESTED: { rule: 'field holds text only', vi: 'Trường {field} chứa phần tử con, chỉ được chứa văn bản', en: 'Field {field} contains child elements; text only is allowed' },
  STD_BASE64: { rule: 'NOIDUNGFILE is standard base64', vi: 'NOIDUNGFILE không phải base64 hợp lệ ({detail})', en: 'NOIDUNGFILE is not valid base64 ({detail})', fix: 'Encode the UTF-8 bytes of the table document with standard base64, no line breaks, complete padding.' },
  STD_LOAIHOSO_UNKNOWN: { rule: 'LOAIHOSO in {allowed}', vi: 'LOAIHOSO "{value}" không hợp lệ', en: 'LOAIHOSO "{value}" is not a table type' },
  STD_TABLE_NOT_IN_PACKAGE: { rule: '{table} is sent on its own', vi: 'Bảng {table} không được gửi trong GIAMDINHHS', en: 'Table {table} is not sent inside GIAMDINHHS' },
  STD_TABLE_ROOT: { rule: '{table} root is {expected}', vi: 'Nội dung của {table} phải có gốc {expected}, nhận được {found}', en: 'The {table} document must have root {expected}, found {found}' },
  STD_TABLE_REPEATED: { rule: 'one FILEHOSO per table', vi: 'Bảng {table} xuất hiện nhiều lần trong một hồ sơ', en: 'Table {table} appears more than once in one dossier' },
  STD_COUNT_MISMATCH: { rule: 'SOLUONGHOSO = number of HOSO', vi: 'SOLUONGHOSO = {declared} nhưng có {actual} HOSO', en: 'SOLUONGHOSO says {declared} but there are {actual} HOSO' },
  STD_NO_DOSSIER: { rule: 'at least one HOSO', vi: 'Gói không có hồ sơ nào', en: 'The package holds no dossier' },
  STD_XML1_MISSING: { rule: 'every dossier has XML1', vi: 'Hồ sơ thiếu bảng XML1 (tổng hợp)', en: 'The dossier has no XML1 (summary) table' },
  STD_XML1_ONE_ROW: { rule: 'XML1 has exactly one row', vi: 'Bảng XML1 phải có đúng một dòng', en: 'XML1 must hold exactly one row' },
  STD_LIMIT: { status: 413, rule: '{what} ≤ {limit}', vi: 'Vượt giới hạn: {what} > {limit}', en: 'Limit exceeded: {what} > {limit}' },
  STD_EDITION_LAYOUT: { severity: 'warning', rule: 'XML13 in the {edition} order', vi: 'Bảng XML13 theo thứ tự trường của QĐ {found}, không phải QĐ {edition}', en: 'XML13 follows the QĐ {found} field order, not QĐ {edition}' },
  STD_EMPTY_TABLE: { severity: 'warning', rule: 'a table with no rows is omitted', vi: 'Bảng {table} không có dòng nào', en: 'Table {table} has no rows' },
  // (b) fields
  STD_FIELD_REQUIRED: { rule: '{field} required', vi: 'Thiếu trường bắt buộc {field}', en: 'Required field {field} is empty' },
  STD_FIELD_CONDITIONAL: { rule: '{field} required when {when}', vi: 'Thiếu trường {field} (bắt buộc khi {when})', en: 'Field {field} is required when {when}' },
  STD_FIELD_TOO_LONG: { rule: 'length ≤ {max}', vi: 'Trường {field} dài {length} ký tự, tối đa {max}', en: 'Field {field} has {length} characters, at most {max}' },
  STD_FIELD_NUMBER: { rule: 'number: digits, "." decimal, ≤ {digits} integer digits', vi: 'Trường {field} phải là số (dấu thập phân ".")', en: 'Field {field} must be a number ("." as decimal separator)' },
  STD_FIELD_DATE: { rule: 'yyyyMMdd', vi: 'Trường {field} phải là ngày dạng yyyyMMdd', en: 'Field {field} must be a date yyyyMMdd' },
  STD_FIELD_DATETIME: { rule: 'yyyyMMddHHmm', vi: 'Trường {field} phải là thời điểm dạng yyyyMMddHHmm', en: 'Field {field} must be a time yyyyMMddHHmm' },
  STD_FIELD_DATE_ANY: { rule: '{formats}', vi: 'Trường {field} phải có dạng {formats}', en: 'Field {field} must be {formats}' },
  STD_FIELD_CODE: { rule: '{field} in code list {list}', vi: 'Giá trị "{value}" của {field} không có trong danh mục {list}', en: 'Value "{value}" of {field} is not in code list {list}' },
  STD_FIELD_CONTROL_CHAR: { rule: 'no control characters', vi: 'Trường {field} chứa ký tự điều khiển không hợp lệ', en: 'Field {field} contains a forbidden control character' },
  // (c) identities
  STD_ID_PERSONAL: { severity: 'warning', rule: 'personal ID: 12 digits (CCCD), or 9-digit CMND', vi: 'Số định danh cá nhân/CCCD trong {field} không đúng dạng (12 chữ số)', en: 'Personal ID / CCCD in {field} is not 12 digits' },
  STD_ID_BHYT: { rule: 'BHYT card: 2 letters + 13 digits', vi: 'Mã thẻ BHYT trong {field} không đúng dạng (2 chữ cái + 13 chữ số)', en: 'BHYT card number in {field} is not 2 letters + 13 digits' },
  STD_ID_FACILITY: { rule: 'facility code: 5 characters', vi: 'Mã cơ sở KCB trong {field} phải gồm 5 ký tự (chữ số/chữ in hoa)', en: 'Facility code in {field} must be 5 characters (digits/capitals)' },
  STD_ID_ICD10: { rule: 'ICD-10 code shape (A00, A00.0, A00.00)', vi: 'Mã bệnh "{value}" trong {field} không đúng dạng ICD-10', en: 'Disease code "{value}" in {field} is not an ICD-10 code' },
  STD_ID_ICD10_COUNT: { rule: 'MA_BENH_KT ≤ 12 codes', vi: 'MA_BENH_KT có {count} mã, tối đa 12', en: 'MA_BENH_KT holds {count} codes, at most 12' },
  // (d) cross-field and cross-table
  STD_MALK_MISMATCH: { rule: 'one MA_LK per dossier', vi: 'MA_LK của {table} khác MA_LK của XML1', en: 'MA_LK of {table} differs from the MA_LK of XML1' },
  STD_MALK_DUPLICATE: { rule: 'MA_LK unique in a package', vi: 'MA_LK trùng với hồ sơ khác trong gói', en: 'MA_LK repeats another dossier of the package' },
  STD_MACSKCB_MISMATCH: { rule: 'XML1.MA_CSKCB = MACSKCB', vi: 'MA_CSKCB của hồ sơ khác MACSKCB của gói', en: 'The dossier MA_CSKCB differs from the package MACSKCB' },
  STD_DATE_ORDER: { rule: '{first} ≤ {second}', vi: '{first} phải trước hoặc bằng {second}', en: '{first} must not be after {second}' },
  STD_TOTAL_MISMATCH: { rule: '{total} = Σ {detail} (±{tolerance})', vi: '{total} = {declared} nhưng tổng chi tiết {detail} = {computed}', en: '{total} is {declared} but the details {detail} add up to {computed}' },
  STD_ROW_AMOUNT: { severity: 'warning', rule: 'THANH_TIEN_BV = SO_LUONG × price (±{tolerance})', vi: 'THANH_TIEN_BV = {declared} nhưng SO_LUONG × đơn giá = {computed}', en: 'THANH_TIEN_BV is {declared} but SO_LUONG × price is {computed}' },
  STD_XML4_SERVICE: { rule: 'XML4.MA_DICH_VU ∈ XML3', vi: 'Kết quả CLS thuộc dịch vụ {value} không có trong XML3', en: 'Paraclinical result for service {value} that is not in XML3' },
  STD_REFERRAL_MISSING: { severity: 'warning', rule: 'MA_LOAI_RV 2/5 → XML13', vi: 'Chuyển tuyến (MA_LOAI_RV = {value}) nhưng không có giấy chuyển tuyến XML13', en: 'Transfer discharge (MA_LOAI_RV = {value}) without a referral table XML13' },
  STD_REFERRAL_UNEXPECTED: { severity: 'warning', rule: 'XML13 only when MA_LOAI_RV 2/5', vi: 'Có XML13 nhưng MA_LOAI_RV = {value} (không phải chuyển tuyến)', en: 'XML13 present but MA_LOAI_RV = {value} (not a transfer)' },
  STD_STT_SEQUENCE: { severity: 'warning', rule: 'STT runs 1..n', vi: 'STT của {table} phải tăng dần từ 1 (gặp {value})', en: 'STT of {table} must run from 1 upwards (found {value})' },
  STD_SO_NGAY_DTRI: { severity: 'warning', rule: 'SO_NGAY_DTRI per MA_LOAI_KCB', vi: 'SO_NGAY_DTRI = {declared}, theo quy tắc phải là {expected}', en: 'SO_NGAY_DTRI is {declared}, the rule gives {expected}' },
  STD_FIELD_MISMATCH: { severity: 'warning', rule: '{table}.{field} = XML1.{field}', vi: '{field} của {table} khác XML1', en: '{field} of {table} differs from XML1' },
  STD_CARD_LIST: { rule: 'card lists parallel', vi: 'Các danh sách thẻ (MA_THE_BHYT, MA_DKBD, GT_THE_TU, GT_THE_DEN) không cùng số phần tử', en: 'Card lists (MA_THE_BHYT, MA_DKBD, GT_THE_TU, GT_THE_DEN) differ in length' },
  // catalogue checks (facility's approved catalogues)
  STD_CAT_UNKNOWN: { rule: '{field} in the facility catalogue', vi: 'Mã {value} ({field}) không có trong danh mục được duyệt của cơ sở', en: 'Code {value} ({field}) is not in the facility approved catalogue' },
  STD_CAT_NOT_IN_FORCE: { rule: 'catalogue entry valid at {date}', vi: 'Mã {value} không còn/chưa hiệu lực tại ngày {date}', en: 'Code {value} is not in force on {date}' },
  STD_CAT_PRICE: { rule: 'unit price = approved price', vi: 'Đơn giá {declared} của {value} khác giá được duyệt {approved}', en: 'Unit price {declared} of {value} differs from the approved {approved}' },
  STD_CAT_UNIT: { severity: 'warning', rule: 'unit = approved unit', vi: 'Đơn vị tính "{declared}" của {value} khác danh mục "{approved}"', en: 'Unit "{declared}" of {value} differs from the catalogue "{approved}"' },
  STD_CAT_FILE: { rule: 'catalogue file readable', vi: 'Không đọc được tệp danh mục: {detail}', en: 'Cannot read the catalogue file: {detail}' },
});

export type StdCode = keyof typeof STD;
