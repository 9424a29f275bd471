import type { Who } from '../../src/app/actor.js';
import { can } from '../../src/app/permissions.js';
import { decideShare } from '../../src/app/funding/decide.js';
import { listPartners, savePartner, savePartnerPerson } from '../../src/app/funding/partners.js';
import { setSplit, splitView } from '../../src/app/funding/split.js';
import { partnerApprovalView, partnerList, partnerPackage } from '../../src/app/funding/views.js';
import { refOf } from '../../src/app/agreements/load.js';
import type { Deps } from '../deps.js';
import type { Routes } from '../registry.js';
import type { CardJson } from '../render.js';
import { partnerListCard, partnerPackageCard, partnersCard, splitCard } from '../views/fundingCards.js';
import { sendCard } from './common.js';
import { guarded, refusalText } from './guard.js';

/**
 * Joint funding (issue 24): commissioners register partners and their people (`funding partners`);
 * the social worker or a broker sets a package's split (`funding PKG-…`); a partner's people list
 * and open only the packages their body funds (`funding`), and its approvers approve or refuse its
 * share from their card. The rules are the funding room's (src/app/funding/).
 */
const str = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
const form = (data: Record<string, unknown>) => Object.fromEntries(Object.entries(data).filter(([k]) => k !== 'ref'));

/** `funding PKG-…` as this person sees it: a partner's own view, or the council's split form. */
async function packageCard(deps: Deps, who: Who, partner: boolean, refText: string, o: Parameters<typeof splitCard>[1] = {}): Promise<CardJson> {
  const ref = refOf(refText);
  if (partner) return partnerPackageCard(await partnerPackage(deps.store, who, ref, deps.now()), o);
  return splitCard(await splitView(deps.store, who, ref, deps.now()), o);
}

export function fundingRoutes(): Routes {
  return {
    title: 'Joint funding',
    commands: [
      {
        usage: 'funding partners',
        summary: 'The bodies that share packages’ costs (an ICB, another council), their tenants, levels and people.',
        pattern: /^funding\s+partners$/i,
        permission: 'funding.partners',
        where: ['personal'],
        run: async (ctx, deps, { who }) => void (await sendCard(ctx, partnersCard(await listPartners(deps.store, who)))),
      },
      {
        usage: 'funding PKG-2026-0001',
        summary: 'Who pays for a package: set the split with a partner (social worker or broker), or see your organisation’s share (a partner’s people).',
        pattern: /^funding\s+(PKG-\S+|AGR-\S+)$/i,
        permission: 'funding.view',
        where: ['personal'],
        run: async (ctx, deps, { who, user, match }) => void (await sendCard(ctx, await packageCard(deps, who, !!user.partnerId, match[1]))),
      },
      {
        usage: 'funding',
        summary: 'A funding partner’s packages: the ones your organisation has a share of, and what waits for your approvers.',
        pattern: /^funding$/i,
        permission: 'funding.view',
        where: ['personal'],
        run: async (ctx, deps, { who, user }) => {
          if (user.partnerId) return void (await sendCard(ctx, partnerListCard(await partnerList(deps.store, who, deps.now()))));
          await ctx.sendActivity(can(user, 'funding.partners') ? 'Type `funding partners` for the funding partners, or `funding PKG-…` for a package’s split.' : 'Type `funding PKG-…` for a package’s funding split.');
        },
      },
    ],
    actions: [
      guarded('funding.partner.form', 'funding.partners', async (deps, { who }) => partnersCard(await listPartners(deps.store, who), { form: 'partner' })),
      guarded('funding.person.form', 'funding.partners', async (deps, { who }) => partnersCard(await listPartners(deps.store, who), { form: 'person' })),
      guarded(
        'funding.partner.save',
        'funding.partners',
        async (deps, { who, data }) => {
          const p = await savePartner(deps.store, who, data, deps.now());
          return partnersCard(await listPartners(deps.store, who), { notice: `Saved ${p.name}, bound to tenant ${p.tenantId}. Add its people next.` });
        },
        async (deps, { who, data }, e) => partnersCard(await listPartners(deps.store, who), { form: 'partner', values: data, errors: e.fields, error: Object.keys(e.fields).length ? undefined : refusalText(e) }),
        { once: true },
      ),
      guarded(
        'funding.person.save',
        'funding.partners',
        async (deps, { who, data }) => {
          const { person, partner } = await savePartnerPerson(deps.store, who, data);
          return partnersCard(await listPartners(deps.store, who), { notice: `Saved ${person.name} for ${partner.name}, bound to tenant ${partner.tenantId}.` });
        },
        async (deps, { who, data }, e) => partnersCard(await listPartners(deps.store, who), { form: 'person', values: data, errors: e.fields, error: Object.keys(e.fields).length ? undefined : refusalText(e) }),
        { once: true },
      ),
      guarded(
        'funding.split.save',
        'funding.set',
        async (deps, { who, data }) => {
          const { view, outcome } = await setSplit(deps.store, who, refOf(str(data.ref)), form(data), deps.now());
          return splitCard(view, { notice: outcome });
        },
        async (deps, { who, data }, e) => splitCard(await splitView(deps.store, who, refOf(str(data.ref)), deps.now()), { values: form(data), errors: e.fields, error: Object.keys(e.fields).length ? undefined : refusalText(e) }),
        { once: true },
      ),
      guarded('funding.show', 'funding.view', async (deps, { who, user, data }) => packageCard(deps, who, !!user.partnerId, str(data.ref))),
      ...(['approved', 'rejected'] as const).map((outcome) =>
        guarded(
          outcome === 'approved' ? 'funding.approve' : 'funding.refuse',
          'funding.decide',
          async (deps, { who, data }) => {
            const d = await decideShare(deps.store, who, str(data.id), outcome, str(data.refuseReason), deps.now());
            const view = await partnerApprovalView(deps.store, d.approval.id, deps.now());
            return view ? partnerPackageCard(view, { notice: d.outcome }) : d.outcome;
          },
          async (deps, { data }, e) => {
            const view = await partnerApprovalView(deps.store, str(data.id), deps.now());
            // Only a partner's own approval is drawn back: another body's is refused in words alone.
            return view && e.kind !== 'forbidden' ? partnerPackageCard(view, { error: refusalText(e), values: { refuseReason: data.refuseReason }, errors: e.fields }) : refusalText(e);
          },
        ),
      ),
    ],
  };
}
