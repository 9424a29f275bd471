import type { FrameworkSummary } from '../../src/app/framework/summary.js';
import type { CardJson } from '../render.js';
import { listCard, type ListRow } from './listCard.js';
import { matches, pageLine, pageOf, pagerActions, queryOf, someOf } from './paging.js';

/** What the `framework` card was asked to show: the lots, one lot's zones, or who cannot be reached. */
export interface FrameworkQuery {
  lot?: string;
  view?: 'unreachable';
  page?: unknown;
  q?: unknown;
}

const LOTS_PER_PAGE = 10;
const ZONES_PER_PAGE = 15;
const PROVIDERS_PER_PAGE = 15;
/** Up to this many lot × zone pairs, the overview names every provider (a small framework reads best whole). */
const WHOLE_UP_TO = 60;
/** Up to this many unreachable providers are named on the overview; more get a page of their own. */
const UNREACHABLE_INLINE = 5;

const VERB = 'admin.framework';
const tierNote = (t?: string) => (t ? ` (${t})` : '');
const back = { title: 'Back to the framework', verb: VERB, data: {} };

export function frameworkCard(s: FrameworkSummary, councilName: string, minRate: number, query: FrameworkQuery = {}): CardJson {
  if (query.view === 'unreachable') return unreachableCard(s, query);
  const lot = query.lot ? s.lots.find((l) => l.id === query.lot) : undefined;
  if (lot) return lotCard(s, lot.id, query);
  return overviewCard(s, councilName, minRate, query);
}

function overviewCard(s: FrameworkSummary, councilName: string, minRate: number, query: FrameworkQuery): CardJson {
  const admitted = s.providers.filter((p) => p.status === 'admitted').length;
  const whole = s.lots.length * s.zones.length <= WHOLE_UP_TO;
  const q = queryOf(query.q);
  const lots = s.lots.filter((l) => matches(`${l.name} ${l.id}`, q));
  const page = pageOf(lots, query.page, LOTS_PER_PAGE);
  const rows: ListRow[] = page.items.map((lot) => {
    const pairs = s.coverage.filter((c) => c.lot.id === lot.id);
    const gaps = pairs.filter((c) => c.providers.length === 0).map((c) => c.zone.name);
    const providers = new Set(pairs.flatMap((c) => c.providers.map((p) => p.id))).size;
    const subtitle = whole
      ? pairs.map((c) => `${c.zone.name}: ${c.providers.map((p) => `${p.name}${tierNote(p.tier)}`).join(', ') || '⚠ none'}`).join('; ')
      : `${providers} provider${providers === 1 ? '' : 's'} · covered in ${pairs.length - gaps.length} of ${pairs.length} zones${gaps.length ? ` · ⚠ nobody in ${someOf(gaps, 4)}` : ''}`;
    return { title: lot.name, subtitle, attention: gaps.length > 0, actions: [{ title: 'By zone', verb: VERB, data: { lot: lot.id } }] };
  });
  const unreachable = s.unreachable.length;
  const intro = [
    s.gaps.length ? `⚠ Gaps: no admitted provider for ${s.gaps.length} lot × zone pair(s). A call-off there would reach nobody; the cascade offers it to neighbouring zones.` : '',
    unreachable && unreachable <= UNREACHABLE_INLINE ? ['Admitted providers the bot cannot post to:', ...s.unreachable.map((u) => `- ${u.provider.name}: ${u.why}`)].join('\n') : '',
    unreachable > UNREACHABLE_INLINE ? `${unreachable} admitted providers cannot be reached by the bot (no channel registered, the bot removed from their shared channel, or a channel their staff cannot join): see *Providers that cannot be reached*.` : '',
  ].filter(Boolean);
  return listCard({
    title: `${councilName} framework`,
    facts: [
      { title: 'Lots', value: String(s.lots.length) },
      { title: 'Zones', value: String(s.zones.length) },
      { title: 'Providers admitted', value: `${admitted} of ${s.providers.length}` },
      { title: 'Minimum sustainable rate', value: `£${minRate.toFixed(2)} an hour` },
      { title: 'Gaps', value: s.gaps.length ? `${s.gaps.length} lot × zone pair(s) with nobody` : 'none' },
      { title: 'Cannot be reached', value: unreachable ? `${unreachable} provider(s)` : 'none' },
    ],
    intro: intro.join('\n\n'),
    introColor: s.gaps.length || unreachable ? 'Attention' : 'Default',
    search: s.lots.length > LOTS_PER_PAGE ? { verb: VERB, data: {}, label: 'Find a lot', placeholder: 'part of its name', value: q } : undefined,
    pageLine: pageLine(page, 'lots', s.lots.length, q),
    empty: q ? `No lot matches "${q}".` : 'No lots yet: `admin` → Lots adds them.',
    rows,
    actions: [...pagerActions(page, VERB, { q }), ...(unreachable > UNREACHABLE_INLINE ? [{ title: `Providers that cannot be reached (${unreachable})`, verb: VERB, data: { view: 'unreachable' } }] : [])],
  });
}

function lotCard(s: FrameworkSummary, lotId: string, query: FrameworkQuery): CardJson {
  const pairs = s.coverage.filter((c) => c.lot.id === lotId);
  const lot = pairs[0]?.lot ?? s.lots.find((l) => l.id === lotId)!;
  const q = queryOf(query.q);
  const found = pairs.filter((c) => matches(`${c.zone.name} ${c.providers.map((p) => p.name).join(' ')}`, q));
  const page = pageOf(found, query.page, ZONES_PER_PAGE);
  return listCard({
    title: `${lot.name}: providers by zone`,
    intro: 'Admitted providers only, with their tier where the framework ranks them.',
    introColor: 'Default',
    search: pairs.length > ZONES_PER_PAGE ? { verb: VERB, data: { lot: lotId }, label: 'Find a zone or provider', placeholder: 'part of a name', value: q } : undefined,
    pageLine: pageLine(page, 'zones', pairs.length, q),
    empty: q ? `Nothing in ${lot.name} matches "${q}".` : 'No zones yet.',
    rows: page.items.map((c) => ({
      title: c.zone.name,
      subtitle: c.providers.length
        ? `${c.providers.length} provider${c.providers.length === 1 ? '' : 's'}: ${someOf(c.providers.map((p) => `${p.name}${tierNote(p.tier)}`), 6)}`
        : '⚠ no admitted provider: a call-off here would reach nobody; the cascade offers it to neighbouring zones',
      attention: c.providers.length === 0,
    })),
    actions: [...pagerActions(page, VERB, { lot: lotId, q }), back],
  });
}

function unreachableCard(s: FrameworkSummary, query: FrameworkQuery): CardJson {
  const q = queryOf(query.q);
  const found = s.unreachable.filter((u) => matches(`${u.provider.name} ${u.provider.id} ${u.why}`, q));
  const page = pageOf(found, query.page, PROVIDERS_PER_PAGE);
  return listCard({
    title: 'Admitted providers the bot cannot post to',
    intro: "Their call-offs do not reach their staff until this is put right. A shared channel needs the bot added to it (installing the app in the team does not add it to the team's shared channels).",
    search: s.unreachable.length > PROVIDERS_PER_PAGE ? { verb: VERB, data: { view: 'unreachable' }, label: 'Find a provider', placeholder: 'part of its name or the reason', value: q } : undefined,
    pageLine: pageLine(page, 'providers', s.unreachable.length, q),
    empty: q ? `No provider matches "${q}".` : 'Every admitted provider can be reached.',
    rows: page.items.map((u) => ({ title: u.provider.name, subtitle: u.why, attention: true })),
    actions: [...pagerActions(page, VERB, { view: 'unreachable', q }), back],
  });
}
