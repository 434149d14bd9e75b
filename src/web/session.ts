// Web sessions are the identity module's (src/access/identity): the cookie ssk_session holds its
// session token; the citizen's OpenID Connect callback sets the same cookie.
import { createSession, endSession, readSession, type Principal } from '../access/identity/index.ts';
import type { Db } from '../store/index.ts';
import type { WebPrincipal } from './context.ts';

export const IDENTITY = 'access/identity';

export async function createWebSession(db: Db, principal: WebPrincipal): Promise<string> {
  return createSession(db, principal as unknown as Principal);
}

export async function readWebSession(db: Db, token: string): Promise<WebPrincipal | null> {
  if (!token || token.length > 512) return null;
  return ((await readSession(db, token)) as unknown as WebPrincipal | null) ?? null;
}

export async function endWebSession(db: Db, token: string): Promise<void> {
  await endSession(db, token);
}
