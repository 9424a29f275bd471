import type { Role, User } from '../domain/framework.js';

/** Who may do what. Checked on the server for every action; nothing in a card can change it. */
export const PERMISSIONS = {
  'framework.view': ['commissioner', 'broker', 'manager'],
  'framework.manage': ['commissioner'],
  'channel.register': ['commissioner'],
  'request.raise': ['social_worker', 'broker'],
  /** See and cancel any request, and raise one that does not meet the specialist definition. */
  'request.manage': ['broker'],
  'request.view': ['social_worker', 'broker', 'manager', 'commissioner'],
  'calloff.publish': ['broker'],
  /** See a call-off's sealed status (counts, never prices) and answer clarification questions. */
  'calloff.manage': ['broker'],
  /** Score bids' quality blind and record the person's choice (their own requests; brokers any). */
  'evaluation.score': ['social_worker', 'broker'],
  'award.decide': ['manager'],
  'bid.submit': ['provider'],
  'report.view': ['commissioner', 'broker', 'manager'],
  /** Open and close evaluation windows, pause applications, name evaluators. */
  'admission.manage': ['commissioner'],
  /** Score and decide applications; evaluators named for a window may too (checked in the use case). */
  'admission.evaluate': ['commissioner'],
  /** See service agreements, their history and figures (council staff). */
  'agreement.view': ['social_worker', 'broker', 'manager', 'commissioner'],
  /** Set terms, propose variations, record suspensions and endings (the owner or a broker: checked in the use case). */
  'agreement.manage': ['social_worker', 'broker'],
  /** Set the council's contract rules: period, tolerance, banking, thresholds, retainer. */
  'contract.rules': ['commissioner'],
  /** See approval levels and what waits for me / what I wait on (src/app/approvals/). */
  'approvals.view': ['social_worker', 'broker', 'manager', 'commissioner'],
  /** Set the scheme of delegation: levels, limits, reminder and escalation hours, closed days. */
  'approvals.scheme': ['commissioner'],
  /** Record an out-of-office and the delegate who decides meanwhile (approvers). */
  'approvals.away': ['manager'],
  /** Joint funding (issue 24, src/app/funding/): register funding partners and their people. */
  'funding.partners': ['commissioner'],
  /** Set a package's funding split (the request's owner or a broker: checked in the use case). */
  'funding.set': ['social_worker', 'broker'],
  /** See joint funding: council staff all of it; a partner's people only their own packages (checked in the use case). */
  'funding.view': ['social_worker', 'broker', 'manager', 'commissioner', 'funding_approver', 'funding_viewer'],
  /** A partner's approver approves or refuses its share, under its own levels. */
  'funding.decide': ['funding_approver'],
  /** The market view (issue 25): set the cost-of-care models and the gap rules, and act on a gap. */
  'market.manage': ['commissioner'],
  /** Say from the provider's channel, per zone, whether it can take new packages. */
  'capacity.declare': ['provider'],
  /** The operations view (`ops`): instances, the outbox, failed posts and sending them again. The admins, as for `admin`. */
  'service.operate': ['commissioner'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(user: Pick<User, 'roles'> | undefined, permission: Permission): boolean {
  if (!user) return false;
  const allowed: readonly Role[] = PERMISSIONS[permission];
  return user.roles.some((r) => allowed.includes(r));
}
