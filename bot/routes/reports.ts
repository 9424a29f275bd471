import type { TurnContext } from 'botbuilder';
import { dates, parsePeriod, PeriodError, type Period } from '../../src/reports/period.js';
import { ReportLinks } from '../../src/reports/links.js';
import { FileShelf, PRIVATE_FILE_TTL_MS } from '../../src/reports/shelf.js';
import { buildReport, equalityReport, loadCardData, loadReportData, providersReport } from '../../src/reports/report.js';
import { loadApprovalData } from '../../src/reports/approvals.js';
import type { Deps } from '../deps.js';
import type { Action, Command, Routes } from '../registry.js';
import type { CardJson } from '../render.js';
import { equalityCard, headlineCard, providersCard } from '../views/reportCards.js';
import { sendCard } from './common.js';

/**
 * Reports for council staff (commissioner, broker, manager: 'report.view'), in the 1:1 chat only:
 * a report is never posted where a provider could read it.
 */

/** Personal documents (choice packs, payments exports): index.ts gives the shelf it serves; a bot built without one (tests) keeps its own. */
let ownShelf: FileShelf | undefined;
export const shelfOf = (deps: Deps) => deps.files ?? (ownShelf ??= new FileShelf({ ttlMs: PRIVATE_FILE_TTL_MS, baseUrl: () => 'http://localhost:3978', now: deps.now }));
/** Report links: index.ts gives the links the HTTP server serves; a bot built without them (tests) signs its own. */
let ownLinks: ReportLinks | undefined;
export const linksOf = (deps: Deps) => deps.links ?? (ownLinks ??= new ReportLinks({ ttlMs: 35 * 86_400_000, baseUrl: () => 'http://localhost:3978', now: deps.now }));

type Kind = 'headline' | 'providers' | 'equality';

/** The period a command names (empty: this month), or undefined once the user has been told why it is not one. */
export async function periodOrSay(ctx: TurnContext, text: string | undefined, now: Date): Promise<Period | undefined> {
  try {
    return parsePeriod(text ?? '', now);
  } catch (e) {
    if (e instanceof PeriodError) return void (await ctx.sendActivity(e.message));
    throw e;
  }
}

async function reportCard(deps: Deps, kind: Kind, period: Period, page: unknown = 1): Promise<CardJson> {
  if (kind === 'headline') return headlineCard(buildReport(await loadCardData(deps.store, period), period, linksOf(deps), await loadApprovalData(deps.store, period, deps.now())));
  const data = await loadReportData(deps.store, period);
  if (kind === 'equality') return equalityCard(period, equalityReport(data, period).equality);
  return providersCard(period, providersReport(data, period).providers, page);
}

function command(kind: Kind, usage: string, summary: string, pattern: RegExp): Command {
  return {
    usage,
    summary,
    pattern,
    permission: 'report.view',
    where: ['personal'],
    run: async (ctx: TurnContext, deps, { match }) => {
      const period = await periodOrSay(ctx, match[1], deps.now());
      if (period) await sendCard(ctx, await reportCard(deps, kind, period));
    },
  };
}

function action(kind: Kind): Action {
  return {
    verb: `report.${kind}`,
    permission: 'report.view',
    run: async (_ctx, deps, { data }) => {
      try {
        return await reportCard(deps, kind, dates(String(data.from ?? ''), String(data.to ?? '')), data.page);
      } catch (e) {
        if (e instanceof PeriodError) return e.message;
        throw e;
      }
    },
  };
}

export function reportRoutes(): Routes {
  return {
    title: 'Reports',
    commands: [
      command('providers', 'providers report ‹period›', 'Provider statistics: offers, declines and reasons, bids, wins, average scores.', /^providers?\s+report(?:\s+(.+))?$/i),
      command('equality', 'equality report ‹period›', 'Equality monitoring of people whose packages were requested and awarded: age band, gender, disability, zone.', /^equality\s+report(?:\s+(.+))?$/i),
      command('headline', 'report ‹period›', `Awards, spend and time to place, with charts and CSV downloads. Period: this month (the default), this quarter, this year, or 2026-01-01 to 2026-03-31.`, /^reports?(?:\s+(.+))?$/i),
    ],
    actions: [action('headline'), action('providers'), action('equality')],
  };
}
