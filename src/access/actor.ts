// Who is asking. Structurally compatible with the identity module's Principal (role + sub, and
// for facility/doctor the facility code, for a doctor the practitioner licence).
export type Role = 'citizen' | 'facility' | 'doctor' | 'officer' | 'operator' | 'feed' | 'system';

export interface Actor {
  role: Role | string;
  /** citizen: 12-digit personal ID; doctor: licence; facility: account or staff id; operator: user. */
  sub: string;
  macskcb?: string;
  licence?: string;
  province?: string;
  name?: string;
}

export function actorId(a: Actor): string {
  if (a.role === 'doctor') return a.licence ?? a.sub;
  return a.sub;
}

export const PERSONAL_ID = /^\d{12}$/;
