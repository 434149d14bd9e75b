// Outbox consumers of the health book (loaded by the gateway's worker).
import type { Handler } from '../store/index.ts';
import { projectDossier } from './project.ts';
import { pushWebhooks } from './feed.ts';

export const handlers: Record<string, Handler> = {
  'healthbook.project': async (row, tx) => {
    const id = Number(row.payload?.dossierId);
    if (!Number.isSafeInteger(id) || id < 1) throw new Error('dossier.accepted without a dossierId');
    await projectDossier(tx, id);
  },
  'healthbook.webhook': async (_row, tx) => {
    await pushWebhooks(tx);
  },
};
