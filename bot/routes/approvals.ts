import type { Who } from '../../src/app/actor.js';
import { can } from '../../src/app/permissions.js';
import { notFound } from '../../src/app/errors.js';
import { agreementId } from '../../src/domain/agreement.js';
import { approvalView, loadCallOffByRef } from '../../src/app/award/views.js';
import { approvalNote, myApprovals } from '../../src/app/approvals/views.js';
import { getScheme, setScheme } from '../../src/app/approvals/scheme.js';
import { awayView, endAbsence, recordAbsence } from '../../src/app/approvals/absences.js';
import { requirePermission } from '../../src/app/actor.js';
import type { Deps } from '../deps.js';
import type { Routes } from '../registry.js';
import type { CardJson } from '../render.js';
import { approvalsCard, awayCard, schemeCard } from '../views/approvalCards.js';
import { approvalCard, placementApprovalCard } from '../views/awardCards.js';
import { variationApprovalCard } from '../views/agreementCards.js';
import { sendCard } from './common.js';
import { guarded, refusalText } from './guard.js';

/**
 * Decisions under the scheme of delegation (issue 23): what waits for me and what I wait on, the
 * approval levels (commissioners edit them), an approver's out-of-office. Who may decide what is
 * the approvals room's (src/app/approvals/); the award, variation and placement cards ask it.
 */
const str = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
const formValues = (data: Record<string, unknown>) => Object.fromEntries(Object.entries(data).filter(([k]) => k !== 'id'));

async function listCard(deps: Deps, who: Who, notice = ''): Promise<CardJson> {
  return approvalsCard(await myApprovals(deps.store, who, deps.now()), notice);
}

/** The approval card of a decision on the list, drawn as its approvers see it. */
async function showApproval(deps: Deps, who: Who, id: string): Promise<CardJson | string> {
  await requirePermission(deps.store, who, 'approvals.view');
  const a = await deps.store.get('approvals', id);
  if (!a) throw notFound('That approval no longer exists.');
  const now = deps.now();
  if (a.kind === 'variation') {
    const agreement = await deps.store.get('agreements', agreementId(a.ref));
    const x = agreement?.variations.find((v) => v.n === a.n);
    if (!agreement || !x) throw notFound(`${a.ref} has no variation ${a.n}.`);
    return variationApprovalCard(agreement, x, { note: await approvalNote(deps.store, 'variation', a.ref, a.n, now) });
  }
  const r = await loadCallOffByRef(deps.store, a.ref);
  if (a.kind === 'award') {
    const view = await approvalView(deps.store, r, a.n, now);
    return view ? approvalCard(view) : `The award of ${a.ref} has no choice ${a.n}.`;
  }
  const p = r.placements?.find((x) => x.n === a.n);
  return p ? placementApprovalCard(r, p, { note: await approvalNote(deps.store, 'off-contract', a.ref, a.n, now) }) : `${a.ref} has no off-contract placement ${a.n}.`;
}

export function approvalRoutes(): Routes {
  return {
    title: 'Approvals',
    commands: [
      {
        usage: 'approvals',
        summary: 'What waits for your decision, and the decisions you are waiting on, with how long each has waited.',
        pattern: /^approvals?$/i,
        permission: 'approvals.view',
        where: ['personal'],
        run: async (ctx, deps, { who }) => void (await sendCard(ctx, await listCard(deps, who))),
      },
      {
        usage: 'approval levels',
        summary: 'The scheme of delegation: who approves how much, reminders and escalation (commissioners change it).',
        pattern: /^approval\s+levels?$/i,
        permission: 'approvals.view',
        where: ['personal'],
        run: async (ctx, deps, { who, user }) => void (await sendCard(ctx, schemeCard(await getScheme(deps.store, who), can(user, 'approvals.scheme')))),
      },
      {
        usage: 'out of office',
        summary: 'Record when you are away and who decides your approvals meanwhile.',
        pattern: /^(out\s+of\s+office|away)$/i,
        permission: 'approvals.away',
        where: ['personal'],
        run: async (ctx, deps, { who }) => void (await sendCard(ctx, awayCard(await awayView(deps.store, who, deps.now())))),
      },
    ],
    actions: [
      guarded('approvals.list', 'approvals.view', (deps, { who }) => listCard(deps, who)),
      guarded('approvals.show', 'approvals.view', (deps, { who, data }) => showApproval(deps, who, str(data.id))),
      guarded(
        'approvals.levels.save',
        'approvals.scheme',
        async (deps, { who, data }) => {
          const { scheme, unchanged } = await setScheme(deps.store, who, data);
          return schemeCard(scheme, true, { notice: unchanged ? 'Nothing changed.' : 'Saved. Decisions raised from now on follow these levels; the change is in the audit log.' });
        },
        async (deps, { who, data }, e) => schemeCard(await getScheme(deps.store, who), true, { values: data, errors: Object.keys(e.fields).length ? e.fields : { level1Name: refusalText(e) } }),
        { once: true },
      ),
      guarded(
        'approvals.away.save',
        'approvals.away',
        async (deps, { who, data }) => {
          const { absence, unchanged } = await recordAbsence(deps.store, who, formValues(data), deps.now());
          const view = await awayView(deps.store, who, deps.now());
          const name = view.delegates.find((d) => d.id === absence.delegateId)?.name ?? 'your delegate';
          return awayCard(view, { notice: unchanged ? 'That absence was already recorded; nothing changed.' : `Recorded. Decisions that arrive from ${absence.from} to ${absence.to} go to ${name}, who has been told.` });
        },
        async (deps, { who, data }, e) => awayCard(await awayView(deps.store, who, deps.now()), { values: formValues(data), errors: Object.keys(e.fields).length ? e.fields : { from: refusalText(e) } }),
        { once: true },
      ),
      guarded(
        'approvals.away.end',
        'approvals.away',
        async (deps, { who, data }) => {
          await endAbsence(deps.store, who, str(data.id), deps.now());
          return awayCard(await awayView(deps.store, who, deps.now()), { notice: 'Your absence has ended: decisions come to you again.' });
        },
        async (deps, { who }, e) => awayCard(await awayView(deps.store, who, deps.now()), { errors: { from: refusalText(e) } }),
        { once: true },
      ),
    ],
  };
}
