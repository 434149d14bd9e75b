// Reading the book: the citizen reads their own; a facility or doctor reads under an active
// consent whose scope covers the request (checked at every read); everyone else is refused.
// Every read — allowed or refused — writes an audit row.
import { ProblemError } from '../errors/index.ts';
import type { Db, Queryable } from '../store/index.ts';
import { ACC, actorId, checkConsent, writeAudit, type Actor } from '../access/index.ts';
import { BOOK } from './errors.ts';
import { ENTRY_KINDS, type EntryKind } from './kinds.ts';

export interface BookEntry {
  id: number;
  kind: EntryKind;
  sourceTable: string;
  seq: number;
  macskcb: string;
  maLk: string;
  version: number;
  occurredAt: Date | null;
  title: string;
  data: Record<string, any>;
  current: boolean;
  acceptedAt: Date;
  publishedAt: Date;
}

export interface Person {
  personalId: string;
  fullName: string;
  birth: string;
  sex: string;
  bhytCards: string[];
}

export interface Book {
  personalId: string;
  person: Person | null;
  entries: BookEntry[];
  /** The consent the read was made under (not for the citizen's own read). */
  consentId?: number;
  truncated: boolean;
}

export interface BookQuery {
  kinds?: string[];
  since?: Date;
  until?: Date;
  limit?: number;
  /** Include replaced versions (history). */
  history?: boolean;
  /** Stated purpose (audited). */
  purpose?: string;
  /** Audit action name (default 'read-book'). */
  action?: string;
  /** Only entries from facilities other than this one. */
  excludeFacility?: string;
}

const PID = /^\d{12}$/;
/** Kinds a third party sees only when the consent names them explicitly. */
const SENSITIVE: string[] = ['hiv_care'];
export const MAX_LIMIT = 5000;

export function toEntry(r: any): BookEntry {
  return {
    id: r.id, kind: r.kind, sourceTable: r.source_table, seq: r.seq, macskcb: r.macskcb, maLk: r.ma_lk, version: r.version,
    occurredAt: r.occurred_at, title: r.title, data: r.data, current: r.current, acceptedAt: r.accepted_at, publishedAt: r.published_at,
  };
}

export function checkQuery(personalId: string, q: BookQuery): void {
  if (!PID.test(personalId ?? '')) throw ProblemError.of(BOOK.BOOK_BAD_PERSONAL_ID, 'personalId');
  const bad = (field: string, detail: string) => ProblemError.of(BOOK.BOOK_BAD_QUERY, field, { field, detail, rule: detail });
  if (q.kinds && (q.kinds.length > ENTRY_KINDS.length || q.kinds.some((k) => !(ENTRY_KINDS as readonly string[]).includes(k)))) throw bad('kinds', `one of ${ENTRY_KINDS.join(', ')}`);
  if (q.since && Number.isNaN(q.since.getTime())) throw bad('since', 'a date');
  if (q.until && Number.isNaN(q.until.getTime())) throw bad('until', 'a date');
  if (q.limit !== undefined && (!Number.isInteger(q.limit) || q.limit < 1 || q.limit > MAX_LIMIT)) throw bad('limit', `1..${MAX_LIMIT}`);
  if (q.purpose && q.purpose.length > 500) throw bad('purpose', 'at most 500 characters');
}

export interface Decision {
  allowed: boolean;
  kinds?: string[];
  since?: Date;
  consentId?: number;
  refusal?: ProblemError;
  reason?: string;
}

/** Who may read this book, and with which filter. */
export async function decide(q: Queryable, actor: Actor, personalId: string, req: BookQuery): Promise<Decision> {
  if (actor.role === 'citizen') {
    if (actor.sub === personalId) return { allowed: true, kinds: req.kinds, since: req.since };
    return { allowed: false, refusal: ProblemError.of(ACC.ACC_NOT_OWN_BOOK, 'personalId'), reason: 'not-own-book' };
  }
  if (actor.role === 'doctor' || actor.role === 'facility') {
    const c = await checkConsent(q, actor, personalId, { kinds: req.kinds, since: req.since });
    if (!c.ok) return { allowed: false, refusal: ProblemError.of(c.def, 'consent'), reason: c.reason, consentId: c.consentId };
    let kinds = c.kinds;
    if (!kinds) kinds = ENTRY_KINDS.filter((k) => !SENSITIVE.includes(k));
    return { allowed: true, kinds, since: c.since, consentId: c.consent.id };
  }
  return { allowed: false, refusal: ProblemError.of(ACC.ACC_FORBIDDEN_ROLE, 'principal.role', { roles: 'citizen, doctor, facility' }), reason: 'role' };
}

const ENTRY_COLUMNS = 'id, kind, source_table, seq, macskcb, ma_lk, version, occurred_at, title, data, current, accepted_at, published_at';

/**
 * The page of entries as one SELECT. Without history the condition is `current` itself (not
 * `current OR $x`), so the (personal_id, current, occurred_at DESC NULLS LAST, id DESC) index
 * walks the page in order and stops at the limit. Parameters $1..$6.
 */
function pageSql(history: boolean): string {
  return `SELECT ${ENTRY_COLUMNS} FROM book_entry
       WHERE personal_id = $1 ${history ? '' : 'AND current'} AND ($2::text[] IS NULL OR kind = ANY($2::text[]))
         AND ($3::timestamptz IS NULL OR occurred_at >= $3) AND ($4::timestamptz IS NULL OR occurred_at <= $4)
         AND ($6::text IS NULL OR macskcb <> $6)
       ORDER BY occurred_at DESC NULLS LAST, id DESC LIMIT $5`;
}

type PageFilter = { kinds?: string[]; since?: Date; until?: Date; limit: number; history?: boolean; excludeFacility?: string };
const pageParams = (personalId: string, f: PageFilter) => [personalId, f.kinds ?? null, f.since ?? null, f.until ?? null, f.limit + 1, f.excludeFacility ?? null];

function decodePage(json: string, limit: number) {
  // One JSON value for the whole page: one parse instead of decoding 500 rows field by field (3× faster on PGlite).
  const rows = JSON.parse(json) as any[];
  const truncated = rows.length > limit;
  const date = (v: string | null) => (v ? new Date(v) : null);
  const entries = rows.slice(0, limit).map((x) => toEntry({ ...x, occurred_at: date(x.occurred_at), accepted_at: date(x.accepted_at), published_at: date(x.published_at) }));
  return { entries, truncated };
}

export async function readEntries(q: Queryable, personalId: string, f: PageFilter) {
  const r = await q.query<{ j: string }>(
    `SELECT coalesce(json_agg(t ORDER BY t.occurred_at DESC NULLS LAST, t.id DESC), '[]')::text AS j FROM (${pageSql(!!f.history)}) t`,
    pageParams(personalId, f),
  );
  return decodePage(r.rows[0].j, f.limit);
}

/**
 * An allowed read in ONE statement: the page, the person with their BHYT cards, and the audit row
 * (a data-modifying CTE, so the read and its audit commit or fail together without a transaction
 * of several round trips). The audit's entry count is the number of entries returned.
 */
async function readAudited(q: Queryable, personalId: string, f: PageFilter, audit: { actor: Actor; action: string; purpose?: string; consentId?: number; detail: Record<string, unknown> }) {
  const r = await q.query<{ j: string; person: string | null }>(
    `WITH page AS (${pageSql(!!f.history)}),
     audit AS (
       INSERT INTO book_audit (personal_id, actor_role, actor_id, actor_macskcb, action, purpose, consent_id, outcome, reason, entry_count, detail)
       SELECT $1, $7, $8, $9, $10, $11, $12, 'allowed', NULL, least((SELECT count(*) FROM page), $5 - 1), $13::jsonb
       RETURNING id)
     SELECT (SELECT coalesce(json_agg(t ORDER BY t.occurred_at DESC NULLS LAST, t.id DESC), '[]') FROM page t)::text AS j,
            (SELECT json_build_object('full_name', p.full_name, 'birth', p.birth, 'sex', p.sex,
                      'cards', coalesce((SELECT json_agg(i.value ORDER BY i.last_seen DESC) FROM book_identity i WHERE i.personal_id = $1 AND i.id_kind = 'bhyt'), '[]'::json))
               FROM book_person p WHERE p.personal_id = $1)::text AS person,
            (SELECT id FROM audit) AS audit_id`,
    [...pageParams(personalId, f), audit.actor.role, actorId(audit.actor), audit.actor.macskcb ?? null, audit.action, audit.purpose ?? null, audit.consentId ?? null, JSON.stringify(audit.detail)],
  );
  const row = r.rows[0];
  const p = row.person ? (JSON.parse(row.person) as { full_name: string; birth: string; sex: string; cards: string[] }) : null;
  const person: Person | null = p ? { personalId, fullName: p.full_name, birth: p.birth, sex: p.sex, bhytCards: p.cards } : null;
  return { ...decodePage(row.j, f.limit), person };
}

export async function personOf(q: Queryable, personalId: string): Promise<Person | null> {
  const p = (await q.query(`SELECT personal_id, full_name, birth, sex FROM book_person WHERE personal_id = $1`, [personalId])).rows[0];
  if (!p) return null;
  const cards = (await q.query<{ value: string }>(`SELECT value FROM book_identity WHERE personal_id = $1 AND id_kind = 'bhyt' ORDER BY last_seen DESC`, [personalId])).rows.map((r) => r.value);
  return { personalId, fullName: p.full_name, birth: p.birth, sex: p.sex, bhytCards: cards };
}

/**
 * Read a citizen's book as `actor`. Throws ProblemError (403 with the consent reason) when the
 * read is refused; the refusal is audited too.
 */
export async function getBook(db: Db, actor: Actor, personalId: string, opts: BookQuery = {}): Promise<Book> {
  checkQuery(personalId, opts);
  const action = opts.action ?? 'read-book';
  const d = await decide(db, actor, personalId, opts);
  if (!d.allowed) {
    await writeAudit(db, { personalId, actor, action, outcome: 'refused', purpose: opts.purpose, consentId: d.consentId, reason: d.reason });
    throw d.refusal!;
  }
  const { entries, truncated, person } = await readAudited(
    db, personalId,
    { kinds: d.kinds, since: d.since, until: opts.until, limit: opts.limit ?? 1000, history: opts.history, excludeFacility: opts.excludeFacility },
    { actor, action, purpose: opts.purpose, consentId: d.consentId, detail: { kinds: d.kinds ?? null, since: d.since?.toISOString() ?? null } },
  );
  return { personalId, person, entries, consentId: d.consentId, truncated };
}

/** One entry of a book (same access rule and audit as the book). */
export async function getEntry(db: Db, actor: Actor, entryId: number): Promise<BookEntry> {
  if (!Number.isSafeInteger(entryId) || entryId < 1) throw ProblemError.of(BOOK.BOOK_ENTRY_NOT_FOUND, 'entryId');
  const r = (await db.query(`SELECT personal_id, kind, occurred_at FROM book_entry WHERE id = $1`, [entryId])).rows[0];
  if (!r) throw ProblemError.of(BOOK.BOOK_ENTRY_NOT_FOUND, 'entryId');
  const d = await decide(db, actor, r.personal_id, { kinds: [r.kind] });
  const inSince = !d.since || (r.occurred_at && new Date(r.occurred_at) >= d.since);
  if (!d.allowed || !inSince || (d.kinds && !d.kinds.includes(r.kind))) {
    await writeAudit(db, { personalId: r.personal_id, actor, action: 'read-entry', outcome: 'refused', consentId: d.consentId, reason: d.reason ?? 'out-of-scope', detail: { entryId } });
    throw d.refusal ?? ProblemError.of(ACC.ACC_CONSENT_SCOPE, 'entryId');
  }
  return db.transaction(async (tx) => {
    const e = toEntry((await tx.query(`SELECT * FROM book_entry WHERE id = $1`, [entryId])).rows[0]);
    await writeAudit(tx, { personalId: r.personal_id, actor, action: 'read-entry', outcome: 'allowed', consentId: d.consentId, entryCount: 1, detail: { entryId } });
    return e;
  });
}

/**
 * "Recent results elsewhere": the patient's lab and imaging results from other facilities in the
 * last `days` days, so a test is not repeated. Same consent rule and audit as the book.
 */
export async function recentResults(db: Db, actor: Actor, personalId: string, opts: { days?: number; purpose?: string } = {}): Promise<BookEntry[]> {
  const days = opts.days ?? 30;
  if (!Number.isInteger(days) || days < 1 || days > 3650) throw ProblemError.of(BOOK.BOOK_BAD_QUERY, 'days', { field: 'days', detail: '1..3650', rule: '1..3650' });
  const book = await getBook(db, actor, personalId, {
    kinds: ['lab_result', 'imaging_result'], since: new Date(Date.now() - days * 86_400_000), purpose: opts.purpose, action: 'recent-results',
    excludeFacility: actor.macskcb ? actor.macskcb.toUpperCase() : undefined, limit: 1000,
  });
  return book.entries;
}
