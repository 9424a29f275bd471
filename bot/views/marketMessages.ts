import type { Activity } from 'botbuilder';
import type { MarketMessageView } from '../../src/app/notifications/render.js';
import { capacityCard } from './capacityCards.js';
import { card } from './format.js';
import { noticeCard } from './notice.js';

/** The market's messages to a provider's channel (issue 25): the capacity chase, a market invitation. */
export function drawMarketMessage(v: MarketMessageView): Partial<Activity> {
  if (v.message.kind === 'capacity.chase' && 'capacity' in v) return card(capacityCard(v.capacity, { chase: true }));
  return card(noticeCard({ title: 'The council invites applications to its framework', lines: ['text' in v ? v.text : ''], footer: 'Type `@Brokerage Bot apply` here to apply, or to add lots and zones to your organisation’s admission.' }));
}
