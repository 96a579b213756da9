/**
 * The roles a gateway caller can hold. Each route declares which of them it allows.
 *
 * - `utility-admin`: the Utility's operators (parameters, minting, registration).
 * - `guarantor-admin`: a guarantor corporation's operators (credentials, tracing).
 * - `operator-admin`: the charging-pile operator's staff (piles, channels).
 * - `user-relay`: a front end relaying end users' own signed or proven operations.
 */
export const ROLES = ['utility-admin', 'guarantor-admin', 'operator-admin', 'user-relay'] as const;

export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** The org short names of the connection profiles (`network/.run/profiles/<org>.json`). */
export const ORG_NAMES = ['utility', 'guarantora', 'guarantorb', 'operator'] as const;
export type OrgName = (typeof ORG_NAMES)[number];

/** Which admin role makes sense on which org's gateway; `user-relay` fits every org. */
export const ADMIN_ROLE_OF_ORG: Record<OrgName, Role> = {
  utility: 'utility-admin',
  guarantora: 'guarantor-admin',
  guarantorb: 'guarantor-admin',
  operator: 'operator-admin',
};

/** The Fabric identity (from the connection profile) a role's requests are signed with. */
export function identityForRole(role: Role | undefined): 'admin' | 'client' {
  return role === undefined || role === 'user-relay' ? 'client' : 'admin';
}
