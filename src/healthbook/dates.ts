// yyyyMMddHHmm / yyyyMMdd in Asia/Ho_Chi_Minh (UTC+7, no daylight saving) → Date.
export function parseVnTime(s: string | undefined | null): Date | null {
  const t = (s ?? '').trim();
  const m = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2}))?$/.exec(t);
  if (!m) return null;
  const [y, mo, d, h, mi] = [+m[1], +m[2], +m[3], +(m[4] ?? 0), +(m[5] ?? 0)];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59) return null;
  return new Date(Date.UTC(y, mo - 1, d, h - 7, mi));
}

/** ISO date (yyyy-MM-dd) of a VN time string, for FHIR dates. */
export function vnDate(s: string | undefined | null): string | undefined {
  const t = (s ?? '').trim();
  const m = /^(\d{4})(\d{2})(\d{2})/.exec(t);
  if (!m || m[2] === '00' || m[3] === '00') return m && m[2] !== '00' ? `${m[1]}-${m[2]}` : m ? m[1] : undefined;
  return `${m[1]}-${m[2]}-${m[3]}`;
}

/** FHIR dateTime with +07:00 offset. */
export function vnDateTime(s: string | undefined | null): string | undefined {
  const t = (s ?? '').trim();
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(t);
  if (!m) return vnDate(t);
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:00+07:00`;
}
