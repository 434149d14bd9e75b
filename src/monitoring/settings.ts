// Monitoring settings (data, not code): stored in mon_setting, defaults here.
import type { Queryable } from '../store/index.ts';
import { ProblemError } from '../errors/index.ts';
import { MON } from './errors.ts';

export interface Settings {
  /** A dossier is on time when accepted within this many minutes after the visit end (NGAY_RA). */
  onTimeMinutes: number;
  /** Share of on-time dossiers below which a facility lags. */
  onTimeTarget: number;
  /** Rejection share above which a facility lags. */
  rejectionMax: number;
  /** Completeness (referrals, appointments, lab results, dossiers per check-in) below which a facility lags. */
  completenessTarget: number;
  /** Provincial plans: 80% of patients identified through VNeID. */
  vneidTarget: number;
  /** Warn when the facility certificate expires within this many days. */
  certificateWarnDays: number;
}

export const DEFAULT_SETTINGS: Settings = {
  onTimeMinutes: 1440,
  onTimeTarget: 0.9,
  rejectionMax: 0.1,
  completenessTarget: 0.9,
  vneidTarget: 0.8,
  certificateWarnDays: 30,
};

const RANGES: Record<keyof Settings, [number, number]> = {
  onTimeMinutes: [1, 60 * 24 * 31],
  onTimeTarget: [0, 1],
  rejectionMax: [0, 1],
  completenessTarget: [0, 1],
  vneidTarget: [0, 1],
  certificateWarnDays: [0, 365],
};

export async function getSettings(db: Queryable): Promise<Settings> {
  const r = await db.query<{ key: string; value: unknown }>(`SELECT key, value FROM mon_setting`);
  const out = { ...DEFAULT_SETTINGS };
  for (const row of r.rows) if (row.key in RANGES && typeof row.value === 'number') (out as any)[row.key] = row.value;
  return out;
}

/** Change settings. Note: onTimeMinutes applies to cells recomputed afterwards (refreshAggregates). */
export async function setSettings(db: Queryable, patch: Partial<Settings>): Promise<Settings> {
  for (const [k, v] of Object.entries(patch)) {
    const range = RANGES[k as keyof Settings];
    if (!range || typeof v !== 'number' || !Number.isFinite(v) || v < range[0] || v > range[1]) throw ProblemError.of(MON.MON_BAD_SETTING, `settings.${k}`);
  }
  for (const [k, v] of Object.entries(patch)) {
    await db.query(`INSERT INTO mon_setting (key, value) VALUES ($1, $2::jsonb) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, [k, JSON.stringify(v)]);
  }
  return getSettings(db);
}
