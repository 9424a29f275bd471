import { formatUk } from '../../src/domain/dates.js';
import type { Period } from '../../src/reports/period.js';
import type { ChoiceStats, Equality, EqualityRow, ProviderStats } from '../../src/reports/queries.js';
import type { Report } from '../../src/reports/report.js';
import type { ApprovalFigures } from '../../src/reports/approvals.js';
import { fmtDays } from '../../src/reports/charts.js';
import { CardJson, render } from '../render.js';
import { gbp } from './format.js';
import { pageLine, pageOf, pagerActions } from './paging.js';

/** Providers per page of the providers report: a council with hundreds active gets pages, not one huge card. */
export const PROVIDERS_PER_PAGE = 20;

/**
 * The report cards: headline figures with charts and CSV links, provider statistics, equality
 * monitoring. One template (cards/report.json); every fact value is a string.
 */

interface Fact {
  title: string;
  value: string;
}
interface Section {
  heading: string;
  note: string;
  facts: Fact[];
}

const pct = (share: number | undefined) => (share === undefined ? '—' : `${Math.round(share * 1000) / 10}%`);
const n2 = (n: number | undefined) => (n === undefined ? '—' : n.toFixed(2));
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

const periodData = (p: Period) => ({ from: p.from, to: p.to });
const sectionButtons = (p: Period, except: 'headline' | 'providers' | 'equality') =>
  [
    { title: 'Headline and charts', verb: 'report.headline', data: periodData(p) },
    { title: 'Providers', verb: 'report.providers', data: periodData(p) },
    { title: 'Equality monitoring', verb: 'report.equality', data: periodData(p) },
    // The market by lot and zone, for the same period (issue 25).
    { title: 'Market', verb: 'market.report', data: periodData(p) },
  ].filter((a) => a.verb !== `report.${except}`);

const FOOTER = 'Council staff only. Definitions of every figure and CSV column: docs/reports.md.';

export function headlineCard(r: Report): CardJson {
  const h = r.headline;
  const spendDiff = h.spend.difference === 0 ? 'on budget' : `${gbp(Math.abs(h.spend.difference))} ${h.spend.difference < 0 ? 'under' : 'over'}`;
  const sections: Section[] = [
    {
      heading: 'Call-offs published in the period',
      note: 'And where they stand now.',
      facts: [
        { title: 'Published', value: String(h.published) },
        { title: 'Still open', value: String(h.open) },
        { title: 'Closed with no bids', value: String(h.noBids) },
        { title: 'Cancelled', value: String(h.cancelled) },
        { title: 'Bids per closed call-off', value: h.bidsPerCallOff.mean === undefined ? '—' : `${Math.round(h.bidsPerCallOff.mean * 100) / 100} (${plural(h.bidsPerCallOff.bids, 'bid')} on ${plural(h.bidsPerCallOff.callOffs, 'call-off')})` },
      ],
    },
    {
      heading: 'Awards made in the period',
      note: 'By the day of approval (off-contract: the day recorded).',
      facts: [
        { title: 'Awarded', value: String(h.awarded) },
        { title: 'Off-contract placements', value: String(h.offContract) },
        { title: 'Days from request to award', value: h.daysToAward.n ? `median ${fmtDays(h.daysToAward.median!)}, 90th percentile ${fmtDays(h.daysToAward.p90!)}` : '—' },
        { title: 'Within the personal budget', value: h.withinBudget.of ? `${pct(h.withinBudget.share)} (${h.withinBudget.n} of ${h.withinBudget.of})` : '—' },
        { title: 'Weekly spend committed', value: `${gbp(h.spend.weekly)} a week` },
        { title: 'Against personal budgets', value: h.awarded ? `${spendDiff} (budgets ${gbp(h.spend.budgets)} a week)` : '—' },
      ],
    },
    choiceSection(r.choices),
    ...(r.approvals ? [approvalSection(r.approvals)] : []),
  ];
  return render('report', {
    title: `Brokerage report: ${r.period.label}`,
    subtitle: `${formatUk(`${r.period.from}T12:00:00Z`, false)} to ${formatUk(`${r.period.to}T12:00:00Z`, false)}, UK time.`,
    notice: '',
    sections,
    charts: r.charts.map((c) => ({ url: c.url, title: c.title, altText: c.title })),
    csvNote: `Download as CSV (links work until ${formatUk(r.expiresAt)}; ask again for new ones):`,
    csvs: r.csvs.map((c) => ({ title: c.title, url: c.url })),
    footer: FOOTER,
    actions: sectionButtons(r.period, 'headline'),
  });
}

const hoursText = (h: number) => `${Math.round(h * 10) / 10} working hours`;

function approvalSection(a: ApprovalFigures): Section {
  return {
    heading: 'Approvals under the scheme of delegation',
    note: 'Awards, variations and off-contract placements sent for approval in the period, wherever they stand now. Times are working hours.',
    facts: [
      { title: 'Sent for approval', value: a.raised ? `${a.raised} (${a.decided} decided, ${a.waiting} waiting)` : '—' },
      { title: 'Time to a decision', value: a.medianHours === undefined ? '—' : `median ${hoursText(a.medianHours)}` },
      { title: 'Longest waiting', value: a.longest ? `${hoursText(a.longest.hours)}: ${a.longest.subject}${a.longest.waiting ? ' (still waiting)' : ''}` : '—' },
      { title: 'Decisions by level', value: a.byLevel.length ? a.byLevel.map((x) => `${x.level} ${x.count}`).join(', ') : '—' },
      { title: 'Decided by a delegate', value: String(a.delegated) },
      { title: 'Escalated unanswered', value: a.escalated ? `${a.escalated} (${a.escalations} escalation${a.escalations === 1 ? '' : 's'})` : '0' },
    ],
  };
}

const WHO: Record<string, string> = { person: 'the person', carer: 'a carer', advocate: 'an advocate', 'best-interests': 'best-interests decision' };

function choiceSection(c: ChoiceStats): Section {
  return {
    heading: "The person's choice",
    note: 'Choices recorded in the period (the last one per request; sequential offers have no choice to make).',
    facts: [
      { title: 'Chose the top-ranked offer', value: c.choices ? `${pct(c.share)} (${c.topChosen} of ${c.choices})` : '—' },
      { title: 'Chose another, because', value: c.otherReasons.length ? c.otherReasons.map((x) => `${x.reason}${x.count > 1 ? ` ×${x.count}` : ''}`).join('; ') : '—' },
      { title: 'Choice pack used', value: c.choices ? `${pct(c.packUsed / c.choices)} (${c.packUsed} of ${c.choices})` : '—' },
      { title: 'Who took part', value: c.tookPart.length ? c.tookPart.map((x) => `${WHO[x.who] ?? x.who} ${x.count}`).join(', ') : '—' },
    ],
  };
}

export function providersCard(period: Period, providers: ProviderStats[], requestedPage: unknown = 1): CardJson {
  const page = pageOf(providers, requestedPage, PROVIDERS_PER_PAGE);
  const sections: Section[] = page.items.map((s) => ({
    heading: s.name,
    note: '',
    facts: [
      { title: 'Offers received', value: String(s.offers) },
      { title: 'Declined', value: s.declined ? `${s.declined}: ${s.declineReasons.map((d) => `${d.reason}${d.count > 1 ? ` ×${d.count}` : ''}`).join(', ')}` : '0' },
      { title: 'Bids', value: s.withdrawn ? `${s.bids} (and ${s.withdrawn} withdrawn)` : String(s.bids) },
      { title: 'Wins', value: String(s.wins) },
      { title: 'Average quality score', value: s.scored ? `${n2(s.avgQuality)} (${plural(s.scored, 'bid')} scored)` : '—' },
      { title: 'Average total score', value: s.ranked ? `${n2(s.avgTotal)} (${plural(s.ranked, 'compliant bid')})` : '—' },
    ],
  }));
  return render('report', {
    title: `Providers: ${period.label}`,
    subtitle: 'Offers, declines and bids on the call-offs published in the period; wins are awards approved in it. Scores once prices were revealed; totals only for compliant bids.',
    notice: providers.length ? pageLine(page, 'providers with activity, by name', providers.length, '') : 'No provider was offered a call-off in this period.',
    sections,
    charts: [],
    csvNote: '',
    csvs: [],
    footer: FOOTER,
    actions: [...pagerActions(page, 'report.providers', periodData(period)), ...sectionButtons(period, 'providers')],
  });
}

export function equalityCard(period: Period, e: Equality): CardJson {
  const share = (n: number, of: number) => (of ? `${n} (${Math.round((n / of) * 100)}%)` : String(n));
  const facts = (rows: EqualityRow[]): Fact[] => rows.map((r) => ({ title: r.value, value: `requested ${share(r.requested, e.requested)} · awarded ${share(r.awarded, e.awarded)}` }));
  return render('report', {
    title: `Equality monitoring: ${period.label}`,
    subtitle: `People whose packages were requested (${e.requested} submitted in the period) and awarded (${e.awarded} awards made in it). Small numbers can identify people: keep this within the council.`,
    notice: '',
    sections: [
      { heading: 'Age band', note: '', facts: facts(e.ageBand) },
      { heading: 'Gender', note: '', facts: facts(e.gender) },
      { heading: 'Disability category', note: '', facts: facts(e.disabilityCategory) },
      { heading: 'Zone', note: '', facts: facts(e.zone) },
    ].map((s) => (s.facts.length ? s : { ...s, facts: [{ title: 'none', value: '—' }] })),
    charts: [],
    csvNote: '',
    csvs: [],
    footer: FOOTER,
    actions: sectionButtons(period, 'equality'),
  });
}
