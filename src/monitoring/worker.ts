// Outbox consumer: an accepted dossier or a check-in marks its aggregate cells dirty (in the
// same transaction as the ack); the sweep timer (routes.ts) recomputes them.
import type { Handler } from '../store/index.ts';
import { markDirty } from './aggregate.ts';

export const handlers: Record<string, Handler> = {
  'monitoring.mark': (row, tx) => markDirty(tx, row.topic, row.payload),
};
