import type { CapacityView } from '../../src/app/market/capacity.js';
import { canInput, hoursInput } from '../../src/domain/market.js';
import { formatUk } from '../../src/domain/dates.js';
import { CardJson, render } from '../render.js';

/**
 * The provider's capacity card (issue 25), in its own channel: for each zone it covers, whether it
 * can take new packages now and roughly how many hours a week. What it said before, and whether
 * that is stale, is shown above each zone's inputs; what was typed is kept on an error.
 */
export function capacityCard(v: CapacityView, o: { notice?: string; values?: Record<string, unknown>; errors?: Record<string, string>; chase?: boolean } = {}): CardJson {
  const errors = o.errors ?? {};
  const value = (id: string, fallback: string) => (o.values && id in o.values ? String(o.values[id] ?? '') : fallback);
  return render('capacity', {
    title: `What ${v.provider.name} can take`,
    intro: o.chase
      ? `It is over ${v.weeks} weeks since you last said what you can take in the zones marked stale below. Change what is no longer right and save, so the council knows where it can place packages.`
      : 'Tell the council, for each zone you cover, whether you can take new packages now and roughly how many hours a week. Saving confirms every zone answered; a zone left blank stays unsaid.',
    notice: o.notice ?? '',
    error: errors._form ?? (Object.keys(errors).length ? 'Please correct the zones marked below; nothing you typed is lost.' : ''),
    zones: v.zones.map((z) => ({
      name: z.name,
      said: !z.said ? 'Not said yet.' : `${z.stale ? 'Stale: ' : ''}${z.said.canTake ? `yes${z.said.hoursPerWeek ? `, about ${z.said.hoursPerWeek} hours a week` : ''}` : 'no new packages'}, said ${formatUk(z.said.declaredAt, false)}.`,
      saidColour: z.stale ? 'Warning' : 'Default',
      canId: canInput(z.zone),
      hoursId: hoursInput(z.zone),
      can: value(canInput(z.zone), z.said ? (z.said.canTake ? 'yes' : 'no') : ''),
      hours: value(hoursInput(z.zone), z.said?.hoursPerWeek ? String(z.said.hoursPerWeek) : ''),
      error: [errors[canInput(z.zone)], errors[hoursInput(z.zone)]].filter(Boolean).join('; '),
    })),
    footer: `Only the council sees this. A declaration older than ${v.weeks} weeks is shown to the council as stale, and you are asked once to say again.`,
  });
}
