import { CardFactory, MessageFactory } from 'botbuilder';
import { formatUk } from '../../src/domain/dates.js';

/** How amounts, days and sentences read on every card. */
const pounds = new Intl.NumberFormat('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
/** One formatter for every amount: `toLocaleString` with options builds a new one each call. */
export const gbp = (n: number) => `£${pounds.format(n)}`;
/** A calendar day ("2026-12-14") as "Mon, 14 Dec 2026". */
export const day = (iso: string) => formatUk(`${iso}T12:00:00Z`, false);
export const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** An activity that carries one Adaptive Card, or just text. */
export const card = (c: object) => MessageFactory.attachment(CardFactory.adaptiveCard(c));
export const text = (t: string) => MessageFactory.text(t);
