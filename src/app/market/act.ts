import type { EvaluationWindow, MarketInvitation } from '../../domain/admission.js';
import { shownCount } from '../../domain/market.js';
import type { BrokerageStore } from '../../store/collections.js';
import { enqueue } from '../../outbox/outbox.js';
import { demandIn, marketReport, type Cell, type MarketData, type MarketReport } from '../../reports/market.js';
import { loadMarketData } from '../../reports/marketData.js';
import { dates, PeriodError, showDay } from '../../reports/period.js';
import { requirePermission, type Who } from '../actor.js';
import { conflict, forbidden, invalid, notFound } from '../errors.js';
import { ADMISSION_ID } from '../admission/applications.js';
import { openWindowTx } from '../admission/windows.js';
import { DEFAULT_SETTINGS, SETTINGS_ID } from '../framework/entities.js';
import { can } from '../permissions.js';

/**
 * What to do next (issue 25): for a gap that has lasted the council's number of months, the
 * commissioner opens an admission window for its lot and zone (or adds it to the window already
 * open), and every provider on the framework is told, with the gap's figures in the notice
 * (small counts suppressed: the notice leaves the council). The gap is worked out again from the
 * store, never taken from the card, and a repeat for the same window, lot and zone tells no one twice.
 */
export interface GapWindowResult {
  window: EvaluationWindow;
  invitation: MarketInvitation;
  /** A new window (false: the gap was added to the one already open). */
  opened: boolean;
  /** Providers the notice was queued for. */
  told: number;
  /** The same gap was already on the open window: nothing new was sent. */
  already: boolean;
  /** The report as it stands, for the reply. */
  report: MarketReport;
  data: MarketData;
}

/** The notice the market gets, in words a provider reads, with the figures of the months the gap lasted. */
export function invitationText(cell: Cell, data: MarketData, report: MarketReport, councilName: string, windowId: string): string {
  const span = { from: report.months[0].from, to: report.months.at(-1)!.to };
  const d = demandIn(data, span).get(`${cell.lot}|${cell.zone}`);
  const n = (x: number) => shownCount(x, report.rules.smallNumber);
  const figures = d
    ? [
        `${n(d.callOffs)} call-off${d.callOffs === 1 ? '' : 's'} for ${cell.lotName.toLowerCase()} support in ${cell.zoneName}`,
        d.closed ? `${n(d.noBid)} closed with no bid and ${n(d.oneBid)} with one` : '',
        d.offContract ? `${n(d.offContract)} placed off-contract` : '',
        d.handBacks ? `${n(d.handBacks)} handed back` : '',
      ].filter(Boolean)
    : [];
  return [
    `${councilName} invites applications to join its framework for ${cell.lotName} in ${cell.zoneName} (evaluation window ${windowId}).`,
    figures.length ? `From ${showDay(span.from)} to ${showDay(span.to)} there were ${figures.join('; ')}.` : '',
    `${cell.supply.admitted} provider${cell.supply.admitted === 1 ? ' is' : 's are'} admitted there now. The council's cost-of-care rate for this lot and zone is £${cell.modelRate.toFixed(2)} an hour.`,
    `If your organisation can offer this support, apply, or ask to add ${cell.lotName} and ${cell.zoneName} to your admission.`,
  ]
    .filter(Boolean)
    .join(' ');
}

export async function openWindowForGap(store: BrokerageStore, who: Who, input: { lot: string; zone: string; from: string; to: string }, now: Date): Promise<GapWindowResult> {
  const user = await requirePermission(store, who, 'market.manage');
  if (!can(user, 'admission.manage')) throw forbidden('Opening an admission window needs the role that manages admission (the commissioner).');
  let period;
  try {
    period = dates(String(input.from ?? ''), String(input.to ?? ''));
  } catch (e) {
    if (e instanceof PeriodError) throw invalid({ period: e.message }, e.message);
    throw e;
  }
  const data = await loadMarketData(store, period, now);
  const report = marketReport(data, period);
  const cell = report.cells.find((c) => c.lot === input.lot && c.zone === input.zone);
  if (!cell) throw notFound(`There is no lot "${input.lot}" in zone "${input.zone}" on the framework.`);
  if (!cell.persistent) throw conflict(`${cell.lotName} in ${cell.zoneName} is not a gap that has lasted ${report.rules.persistMonths} months in the report as it stands now, so no window was opened. Ask for the market report again.`);
  const councilName = ((await store.get('settings', SETTINGS_ID)) ?? DEFAULT_SETTINGS).councilName;
  return store.transact({ actor: user.id, action: 'market.gap.window' }, async (tx) => {
    const paused = (await tx.get('admission', ADMISSION_ID))?.paused;
    if (paused) throw conflict(`New applications are paused (${paused.reason}), so providers could not apply. Resume them from \`applications\` first.`);
    const open = (await tx.list('windows')).find((w) => !w.closedAt);
    const existing = open?.invitations?.find((x) => x.lot === cell.lot && x.zone === cell.zone);
    if (open && existing) return { window: open, invitation: existing, opened: false, told: 0, already: true, report, data };
    const window = open ?? (await openWindowTx(tx, user, {}, now)).window;
    const invitation: MarketInvitation = { lot: cell.lot, zone: cell.zone, text: invitationText(cell, data, report, councilName, window.id), at: now.toISOString(), by: user.id };
    const next = { ...window, invitations: [...(window.invitations ?? []), invitation] };
    tx.put('windows', next);
    const market = (await tx.list('providers')).filter((p) => p.status === 'admitted' && p.channel && !p.channel.unreachableReason);
    for (const p of market) await enqueue(tx, now, { id: `market-invite:${window.id}:${cell.lot}:${cell.zone}:${p.id}`, target: { providerId: p.id }, message: { kind: 'market.invitation', windowId: window.id, lot: cell.lot, zone: cell.zone } });
    return { window: next, invitation, opened: !open, told: market.length, already: false, report, data };
  });
}
