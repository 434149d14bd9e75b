// Vietnamese first; English by ?lang=en (remembered in a cookie). No personal data in URLs.
export type Lang = 'vi' | 'en';

export function pickLang(query: unknown, cookies: Record<string, string>): { lang: Lang; remember?: Lang } {
  const q = query && typeof query === 'object' ? (query as Record<string, unknown>).lang : undefined;
  if (q === 'en' || q === 'vi') return { lang: q, remember: q };
  return { lang: cookies.lang === 'en' ? 'en' : 'vi' };
}

/** The text in the page's language. */
export function tr(lang: Lang, vi: string, en: string): string {
  return lang === 'en' ? en : vi;
}

const VN_TZ = 'Asia/Ho_Chi_Minh';

export function fmtDateTime(lang: Lang, d: Date | string | null | undefined): string {
  if (!d) return '';
  const date = typeof d === 'string' ? new Date(d) : d;
  if (Number.isNaN(date.getTime())) return String(d);
  return new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'vi-VN', { timeZone: VN_TZ, dateStyle: 'short', timeStyle: 'short' }).format(date);
}

export function fmtDate(lang: Lang, d: Date | string | null | undefined): string {
  if (!d) return '';
  const date = typeof d === 'string' ? new Date(d) : d;
  if (Number.isNaN(date.getTime())) return String(d);
  return new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'vi-VN', { timeZone: VN_TZ, dateStyle: 'short' }).format(date);
}

/** yyyyMMdd or yyyyMMddHHmm text of the standard, shown as a local date (time). */
export function fmtStdDate(text: string | undefined): string {
  if (!text) return '';
  const m = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2}))?$/.exec(text);
  if (!m) return text;
  return m[4] ? `${m[3]}/${m[2]}/${m[1]} ${m[4]}:${m[5]}` : `${m[3]}/${m[2]}/${m[1]}`;
}
