// Gateway configuration: limits, credentials and which modules to mount.
export interface GatewayConfig {
  /** Hard size limit of one submitted package (bytes). */
  maxPackageBytes: number;
  /** Most dossiers (HOSO) in one package. */
  maxDossiers: number;
  /** Most requests handled at once under /api; beyond it: 429 + Retry-After. */
  maxInFlight: number;
  /** Retry-After seconds sent with 429. */
  retryAfterSeconds: number;
  /** Operator credential for /api/v1/admin (else env SSK_OPERATOR_TOKEN). */
  operatorToken?: string;
  /** Receipt signing key (PKCS#8 PEM, Ed25519). When absent it is generated once and kept in the database. */
  receiptKeyPem?: string;
  /** Lifetime of a facade (token/take) access token in seconds. */
  facadeTokenSeconds: number;
  /** Modules whose routes.ts / worker.ts are mounted (default: every GATEWAY_MODULES entry). */
  modules?: readonly string[];
  /** Run the outbox worker in this process. */
  worker: boolean;
  /** Structured logging (JSON lines, no personal data). */
  logger: boolean;
  /** Where log lines go (default stdout). */
  logStream?: { write(line: string): unknown };
}

export const DEFAULT_CONFIG: GatewayConfig = {
  maxPackageBytes: 20 * 1024 * 1024,
  maxDossiers: 500,
  maxInFlight: 64,
  retryAfterSeconds: 1,
  facadeTokenSeconds: 24 * 3600,
  worker: true,
  logger: false,
};

export function resolveConfig(c: Partial<GatewayConfig> = {}): GatewayConfig {
  const out = { ...DEFAULT_CONFIG, ...Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined)) } as GatewayConfig;
  out.operatorToken ??= process.env.SSK_OPERATOR_TOKEN || undefined;
  return out;
}
