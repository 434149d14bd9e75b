// The OpenAPI 3.1 document of the gateway's API (served at /openapi.json).
import type { GatewayConfig } from './config.ts';

const problem = {
  type: 'object',
  required: ['code', 'severity', 'path', 'rule', 'vi', 'en', 'status'],
  properties: { code: { type: 'string' }, severity: { enum: ['error', 'warning'] }, path: { type: 'string' }, rule: { type: 'string' }, vi: { type: 'string' }, en: { type: 'string' }, status: { type: 'integer' } },
};

const receipt = {
  type: 'object',
  required: ['receiptId', 'packageSha256', 'macskcb', 'kind', 'status', 'receivedAt', 'dossiers', 'problems', 'signature'],
  properties: {
    receiptId: { type: 'string', format: 'uuid' },
    packageSha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    macskcb: { type: 'string' },
    kind: { enum: ['dossier', 'checkin', 'gdyk', 'certificate'] },
    status: { enum: ['accepted', 'rejected', 'partial'] },
    receivedAt: { type: 'string', format: 'date-time' },
    acceptedAt: { type: 'string', format: 'date-time' },
    dossiers: {
      type: 'array',
      items: {
        type: 'object',
        properties: { maLk: { type: 'string' }, status: { enum: ['accepted', 'rejected'] }, version: { type: 'integer' }, dossierId: { type: 'integer' }, replacesId: { type: 'integer' }, problems: { type: 'array', items: { $ref: '#/components/schemas/Problem' } } },
      },
    },
    checkins: { type: 'array', items: { type: 'object', properties: { checkinId: { type: 'integer' }, maLk: { type: 'string' } } } },
    document: {
      type: 'object',
      description: 'kind certificate: the death notice or driving-licence health check received, and whether it replaced an accepted one of the same number',
      properties: { type: { enum: ['death_notice', 'driving_check'] }, number: { type: 'string' }, replaces: { type: 'boolean' } },
    },
    problems: { type: 'array', items: { $ref: '#/components/schemas/Problem' } },
    signature: {
      type: 'object',
      description: 'Ed25519 over the canonical JSON (sorted keys, no whitespace) of the receipt without `signature`; key at /api/v1/receipt-key.',
      properties: { alg: { const: 'Ed25519' }, keyId: { type: 'string' }, value: { type: 'string', contentEncoding: 'base64' } },
    },
  },
};

const errors = { description: 'Problems', content: { 'application/json': { schema: { type: 'object', properties: { problems: { type: 'array', items: { $ref: '#/components/schemas/Problem' } } } } } } };
const receiptResponse = {
  description: 'Signed receipt (accepted, partial or rejected). Header `Idempotent-Replay: true` when the same bytes were accepted before.',
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Receipt' } } },
};
const xmlBody = (what: string) => ({
  required: true,
  content: {
    'application/xml': { schema: { type: 'string', format: 'binary' }, description: what },
    'multipart/form-data': { schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } } } },
  },
});
const facadeResult = { description: 'National-gateway result (401 is answered inside HTTP 200)', content: { 'application/json': { schema: { $ref: '#/components/schemas/FacadeResult' } } } };
const facadeCall = (summary: string) => ({
  post: {
    tags: ['national facade'],
    summary,
    parameters: ['accessToken', 'tokenId', 'passwordHash'].map((name) => ({ name, in: 'header', required: name !== 'passwordHash', schema: { type: 'string' } })),
    requestBody: {
      content: {
        'application/x-www-form-urlencoded': {
          schema: { type: 'object', required: ['fileHSBase64'], properties: { username: { type: 'string' }, loaiHoSo: { type: 'string' }, maTinh: { type: 'string' }, maCSKCB: { type: 'string' }, fileHSBase64: { type: 'string', contentEncoding: 'base64' } } },
        },
      },
    },
    responses: { 200: facadeResult },
  },
});

export function openapi(config: GatewayConfig) {
  const bearer = [{ facilityToken: [] }];
  const period = [
    { name: 'from', in: 'query', schema: { type: 'string', format: 'date-time' } },
    { name: 'to', in: 'query', schema: { type: 'string', format: 'date-time' } },
  ];
  const sha = { name: 'sha256', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9a-f]{64}$' } };
  return {
    openapi: '3.1.0',
    info: {
      title: 'sosuckhoe — Cổng tiếp nhận dữ liệu / receiving gateway',
      version: '0.1.0',
      description: `Signed GIAMDINHHS packages (QĐ 130/4750/3176) in, signed receipts out. Package size limit ${config.maxPackageBytes} bytes; at most ${config.maxDossiers} dossiers per package; 429 + Retry-After when saturated.`,
    },
    components: {
      securitySchemes: { facilityToken: { type: 'http', scheme: 'bearer' }, operatorToken: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Problem: problem,
        Receipt: receipt,
        FacadeResult: { type: 'object', properties: { maKetQua: { type: 'string' }, maGiaoDich: { type: 'string' }, thoiGianTiepNhan: { type: 'string', pattern: '^\\d{14}$' }, thongDiep: { type: 'string' } } },
      },
    },
    paths: {
      '/health': { get: { summary: 'Liveness', responses: { 200: { description: 'ok' } } } },
      '/ready': { get: { summary: 'Readiness (database reachable)', responses: { 200: { description: 'ready' }, 503: { description: 'not ready' } } } },
      '/api/v1/receipt-key': { get: { summary: 'Public key (PEM) that verifies receipts', responses: { 200: { description: 'PEM', content: { 'application/x-pem-file': {} } } } } },
      '/api/v1/packages': {
        post: {
          summary: 'Gửi gói hồ sơ đã ký / submit a signed GIAMDINHHS package',
          security: bearer,
          parameters: [
            { name: 'X-Replaces', in: 'header', schema: { type: 'string' }, description: 'MA_LK of a held dossier this package replaces' },
            { name: 'replace', in: 'query', schema: { enum: ['1', 'true'] }, description: 'every dossier of the package replaces the held version' },
          ],
          requestBody: xmlBody('GIAMDINHHS signed in CHUKYDONVI'),
          responses: { 200: receiptResponse, 401: errors, 403: errors, 413: errors, 415: errors, 429: errors },
        },
        get: { summary: 'Packages received in a period', security: bearer, parameters: [...period, { name: 'status', in: 'query', schema: { enum: ['accepted', 'partial', 'rejected'] } }], responses: { 200: { description: 'list' } } },
      },
      '/api/v1/checkins': {
        post: {
          summary: 'Gửi dữ liệu check-in (XML0) / submit a signed CHI_TIEU_TRANG_THAI_KCB',
          security: bearer,
          parameters: [{ name: 'X-Id-Method', in: 'header', schema: { enum: ['chip_cccd', 'vneid', 'personal_id', 'bhyt_card', 'other'] }, description: 'extension: how the patient was identified at reception (also ?idMethod=)' }],
          requestBody: xmlBody('CHI_TIEU_TRANG_THAI_KCB signed in CHUKYDONVI'),
          responses: { 200: receiptResponse, 401: errors, 413: errors, 429: errors },
        },
      },
      '/api/v1/assessments': {
        post: {
          summary: 'Gửi dữ liệu giám định y khoa (XML12) / submit a signed CHI_TIEU_GIAM_DINH_YKHOA',
          security: bearer,
          requestBody: xmlBody('CHI_TIEU_GIAM_DINH_YKHOA signed in CHUKYDONVI'),
          responses: { 200: receiptResponse, 401: errors, 413: errors, 429: errors },
        },
      },
      '/api/v1/certificates': {
        post: {
          summary: 'Gửi giấy báo tử / giấy khám sức khỏe lái xe đã ký / submit a signed death notice (CHI_TIEU_DU_LIEU_GIAY_BAO_TU) or driving-licence health check (CHI_TIEU_DU_LIEU_GIAY_KSK_LAI_XE)',
          security: bearer,
          parameters: [{ name: 'X-Replaces', in: 'header', schema: { type: 'string' }, description: 'a corrected version of a number already accepted (also ?replace=1)' }],
          requestBody: xmlBody('certificate document signed in CHUKYDONVI'),
          responses: { 200: receiptResponse, 401: errors, 413: errors, 429: errors },
        },
      },
      '/api/v1/packages/{sha256}': { get: { summary: 'Receipt of a package', security: bearer, parameters: [sha], responses: { 200: receiptResponse, 404: errors } } },
      '/api/v1/packages/{sha256}/original': { get: { summary: 'The archived exact bytes', security: bearer, parameters: [sha], responses: { 200: { description: 'XML', content: { 'application/xml': {} } }, 404: errors } } },
      '/api/v1/dossiers/{maLk}': { get: { summary: 'A dossier and its versions (replacement chain)', security: bearer, parameters: [{ name: 'maLk', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: { description: 'versions' }, 404: errors } } },
      '/api/v1/reconciliation': { get: { summary: 'Đối soát / reconciliation for a period: sent, accepted, rejected, replaced', security: bearer, parameters: period, responses: { 200: { description: 'counts and lists' } } } },
      '/api/v1/admin/facilities': { get: { summary: 'List facility accounts', security: [{ operatorToken: [] }], responses: { 200: { description: 'list' } } }, post: { summary: 'Create a facility account', security: [{ operatorToken: [] }], responses: { 201: { description: 'created' } } } },
      '/api/v1/admin/facilities/{macskcb}/tokens': { post: { summary: 'Issue an API token (shown once)', security: [{ operatorToken: [] }], responses: { 201: { description: 'token' } } } },
      '/api/v1/admin/tokens/{id}/rotate': { post: { summary: 'Rotate a token', security: [{ operatorToken: [] }], responses: { 200: { description: 'new token' } } } },
      '/api/v1/admin/tokens/{id}/revoke': { post: { summary: 'Revoke a token', security: [{ operatorToken: [] }], responses: { 200: { description: 'revoked' } } } },
      '/api/v1/admin/facilities/{macskcb}/certificates': {
        get: { summary: 'Certificates with history', security: [{ operatorToken: [] }], responses: { 200: { description: 'list' } } },
        post: { summary: 'Register (or, with replace, update) a signing certificate', security: [{ operatorToken: [] }], responses: { 201: { description: 'registered' } } },
      },
      '/api/v1/admin/facilities/{macskcb}/certificates/{fingerprint}/revoke': { post: { summary: 'Revoke a certificate', security: [{ operatorToken: [] }], responses: { 200: { description: 'revoked' } } } },
      '/api/token/take': {
        post: {
          tags: ['national facade'],
          summary: 'Đăng nhập / token (username + upper-case MD5 of the password)',
          requestBody: { content: { 'application/x-www-form-urlencoded': { schema: { type: 'object', properties: { username: { type: 'string' }, password: { type: 'string' } } } } } },
          responses: { 200: { description: '{ maKetQua, APIKey { access_token, id_token, token_type, username, expires_in } }' } },
        },
      },
      '/api/qd130/guiHoSoXmlQD4750': facadeCall('Gửi hồ sơ XML (4750)'),
      '/api/qd130/guiHoSoXmlQD3176': facadeCall('Gửi hồ sơ XML (3176)'),
      '/api/qd130/guiHoSoXmlQD130': facadeCall('Gửi hồ sơ XML (130)'),
      '/api/qd130/checkInKcbQd4750': facadeCall('Check-in KCB (4750)'),
      '/api/qd130/checkInKcbQd3176': facadeCall('Check-in KCB (3176)'),
      '/api/qd130/checkInKcbQd130': facadeCall('Check-in KCB (130)'),
      '/api/qd130/guiDuLieuGdykQd130': facadeCall('Gửi dữ liệu giám định y khoa (XML12)'),
    },
  };
}
