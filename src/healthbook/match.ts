// Receiving a patient at a clinic: by CCCD / personal ID or BHYT card. A book is released only on a
// single certain match; a near match (another card prefix, a different name or birth date, an
// identifier shared by several people, an old 9-digit ID card) is refused with the reason — never guessed.
import { ProblemError } from '../errors/index.ts';
import type { Db } from '../store/index.ts';
import { ACC, checkConsent, writeAudit, type Actor } from '../access/index.ts';
import { BOOK } from './errors.ts';
import { personOf, type Person } from './book.ts';

export interface MatchInput {
  personalId?: string;
  cccd?: string;
  bhytCard?: string;
  /** Optional details that must agree exactly when given. */
  name?: string;
  birth?: string;
}

export interface MatchResult {
  personalId: string;
  person: Person;
  /** Whether the caller already holds an active consent covering the book. */
  consent: { active: boolean; consentId?: number; reason?: string };
}

const norm = (s: string) => s.normalize('NFC').toUpperCase().replace(/\s+/g, ' ').trim();

export async function receivePatient(db: Db, actor: Actor, input: MatchInput): Promise<MatchResult> {
  if (actor.role !== 'facility' && actor.role !== 'doctor') throw ProblemError.of(ACC.ACC_FORBIDDEN_ROLE, 'principal.role', { roles: 'facility, doctor' });
  const uncertain = (field: string, detail: string) => ProblemError.of(BOOK.BOOK_MATCH_UNCERTAIN, field, { detail });
  const ids = new Set<string>();
  for (const field of ['personalId', 'cccd'] as const) {
    const v = (input[field] ?? '').trim();
    if (!v) continue;
    if (/^\d{9}$/.test(v)) throw uncertain(field, 'CMND 9 số cũ — cần số định danh 12 số / old 9-digit ID card');
    if (!/^\d{12}$/.test(v)) throw ProblemError.of(BOOK.BOOK_BAD_PERSONAL_ID, field);
    ids.add(v);
  }
  const card = (input.bhytCard ?? '').trim().toUpperCase();
  if (card) {
    if (/^\d{10}$/.test(card)) throw uncertain('bhytCard', 'chỉ có mã BHXH 10 số — cần số thẻ 15 ký tự / only the 10-digit BHXH number');
    if (!/^[A-Z]{2}\d{13}$/.test(card)) throw uncertain('bhytCard', 'số thẻ BHYT phải gồm 15 ký tự / BHYT card must have 15 characters');
    const r = await db.query<{ personal_id: string }>(`SELECT DISTINCT personal_id FROM book_identity WHERE id_kind = 'bhyt' AND value = $1`, [card]);
    if (r.rows.length > 1) {
      for (const x of r.rows) await writeAudit(db, { personalId: x.personal_id, actor, action: 'match', outcome: 'refused', reason: 'ambiguous-card' });
      throw ProblemError.of(BOOK.BOOK_MATCH_AMBIGUOUS, 'bhytCard');
    }
    if (!r.rows.length) {
      const near = await db.query(`SELECT 1 FROM book_identity WHERE id_kind = 'bhyt' AND right(value, 10) = $1 LIMIT 1`, [card.slice(5)]);
      if (near.rows.length) throw ProblemError.of(BOOK.BOOK_MATCH_NEAR, 'bhytCard', { detail: 'mã BHXH trùng nhưng số thẻ khác / same BHXH number, different card' });
      throw ProblemError.of(BOOK.BOOK_MATCH_NONE, 'bhytCard');
    }
    ids.add(r.rows[0].personal_id);
  }
  if (!ids.size) throw ProblemError.of(BOOK.BOOK_BAD_QUERY, 'identifier', { field: 'identifier', detail: 'personalId, cccd or bhytCard', rule: 'one identifier' });
  if (ids.size > 1) throw ProblemError.of(BOOK.BOOK_MATCH_NEAR, 'identifier', { detail: 'các định danh thuộc về người khác nhau / identifiers belong to different people' });
  const personalId = [...ids][0];
  const person = await personOf(db, personalId);
  if (!person) throw ProblemError.of(BOOK.BOOK_MATCH_NONE, input.personalId ? 'personalId' : input.cccd ? 'cccd' : 'bhytCard');
  const diffs: string[] = [];
  if (input.name && norm(input.name) !== norm(person.fullName)) diffs.push('họ tên khác / name differs');
  if (input.birth && input.birth.replace(/\D/g, '').slice(0, 8) !== person.birth.slice(0, 8)) diffs.push('ngày sinh khác / birth date differs');
  if (diffs.length) {
    await writeAudit(db, { personalId, actor, action: 'match', outcome: 'refused', reason: 'near-match' });
    throw ProblemError.of(BOOK.BOOK_MATCH_NEAR, 'identity', { detail: diffs.join('; ') });
  }
  const c = await checkConsent(db, actor, personalId);
  await writeAudit(db, { personalId, actor, action: 'match', outcome: 'allowed', consentId: c.ok ? c.consent.id : null });
  return { personalId, person, consent: c.ok ? { active: true, consentId: c.consent.id } : { active: false, reason: c.reason } };
}
