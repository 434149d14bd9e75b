// Outbox consumers of the health book (loaded by the gateway's worker).
import type { Handler } from '../store/index.ts';
import { projectDossier, projectMany } from './project.ts';
import { pushWebhooks } from './feed.ts';
import { projectCertificate } from './certificates.ts';

/** Under load, one handler call also takes up to this many other ready rows of its consumer. */
export const SWEEP = 199;

export const handlers: Record<string, Handler> = {
  'healthbook.project': async (row, tx) => {
    const id = Number(row.payload?.dossierId);
    if (!Number.isSafeInteger(id) || id < 1) throw new Error('dossier.accepted without a dossierId');
    // Catch-up: take the other ready rows of this consumer, oldest first — also those another batch
    // has claimed but not reached yet (projection is idempotent and serialized per MA_LK, so whoever
    // comes second finds the work done) — and project them all in a few statements, in this same
    // transaction (their deletion commits with their projection). If the batch fails, roll it back and
    // project only this row, so one bad dossier cannot block the rest.
    await tx.query('SAVEPOINT healthbook_batch');
    try {
      const swept = await tx.query<{ payload: { dossierId?: unknown } }>(
        `DELETE FROM outbox WHERE id IN (
           SELECT id FROM outbox WHERE consumer = 'healthbook.project' AND id <> $1 AND available_at <= now()
           ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED)
         RETURNING payload`,
        [row.id, SWEEP],
      );
      const others = swept.rows.map((r) => Number(r.payload?.dossierId)).filter((n) => Number.isSafeInteger(n) && n > 0);
      await projectMany(tx, [id, ...others]);
      await tx.query('RELEASE SAVEPOINT healthbook_batch');
    } catch {
      await tx.query('ROLLBACK TO SAVEPOINT healthbook_batch');
      await projectDossier(tx, id);
    }
  },
  'healthbook.certificate': async (row, tx) => {
    const id = Number(row.payload?.packageId);
    if (!Number.isSafeInteger(id) || id < 1) throw new Error('certificate.accepted without a packageId');
    await projectCertificate(tx, id);
  },
  'healthbook.webhook': async (_row, tx) => {
    await pushWebhooks(tx);
  },
};
