import type { Lot, Provider, Tier, Zone } from '../../domain/framework.js';
import { listOf } from '../../store/reading.js';
import type { BrokerageStore } from '../../store/collections.js';
import { channelWarning } from './channels.js';

export interface Coverage {
  lot: Lot;
  zone: Zone;
  providers: { id: string; name: string; tier?: Tier }[];
}

export interface FrameworkSummary {
  lots: Lot[];
  zones: Zone[];
  providers: Provider[];
  coverage: Coverage[];
  /** Lot × zone pairs with no admitted provider: where a call-off would reach nobody. */
  gaps: { lot: Lot; zone: Zone }[];
  /**
   * Admitted providers whose call-offs would not reach their staff: no channel registered, the bot
   * was removed (from the team or from their shared channel), or a channel their staff cannot join.
   */
  unreachable: { provider: Provider; why: string }[];
}

export async function frameworkSummary(store: BrokerageStore): Promise<FrameworkSummary> {
  const [lots, zones, providers] = await Promise.all([listOf(store, 'lots'), listOf(store, 'zones'), listOf(store, 'providers')]);
  const byName = <T extends { name: string }>(a: T, b: T) => a.name.localeCompare(b.name);
  lots.sort(byName);
  zones.sort(byName);
  providers.sort(byName);
  const admitted = providers.filter((p) => p.status === 'admitted');
  const coverage: Coverage[] = [];
  for (const lot of lots) {
    for (const zone of zones) {
      const here = admitted
        .filter((p) => p.lots.includes(lot.id) && p.zones.includes(zone.id))
        .map((p) => ({ id: p.id, name: p.name, tier: p.tiers.find((t) => t.lot === lot.id && t.zone === zone.id)?.tier }));
      coverage.push({ lot, zone, providers: here });
    }
  }
  const unreachable = admitted
    .map((provider) => ({ provider, why: whyUnreachable(provider) }))
    .filter((u) => u.why);
  return {
    lots,
    zones,
    providers,
    coverage,
    gaps: coverage.filter((c) => c.providers.length === 0).map(({ lot, zone }) => ({ lot, zone })),
    unreachable,
  };
}

function whyUnreachable(p: Provider): string {
  if (!p.channel) return 'no channel registered: in a shared channel with the provider, add the bot to the channel and type `@Brokerage Bot register provider ' + p.id + '`';
  if (p.channel.unreachableReason) return `${p.channel.channelName ? `${p.channel.channelName}: ` : ''}${p.channel.unreachableReason}`;
  const warning = channelWarning(p.channel);
  return warning ? `${p.channel.channelName ? `${p.channel.channelName}: ` : ''}${warning}` : '';
}
