import type { TurnContext } from 'botbuilder';
import { CardFactory, MessageFactory } from 'botbuilder';
import { ROLE_LABELS, User } from '../../src/domain/framework.js';
import { can } from '../../src/app/permissions.js';
import { NO_ROLE_MESSAGE } from '../../src/app/actor.js';
import type { Command, Routes } from '../registry.js';
import { render } from '../render.js';

export type Place = 'personal' | 'channel' | 'groupChat';

export function placeOf(ctx: TurnContext): Place {
  const t = ctx.activity.conversation?.conversationType;
  return t === 'channel' ? 'channel' : t === 'groupChat' ? 'groupChat' : 'personal';
}

/** The commands this user may use here: help shows exactly what will work. */
/** Commands open to people with no role (applying to the framework) are for guests and providers, not council staff. */
const forGuests = (c: Command, user: User) => !c.open || c.permission || user.roles.length === 0 || user.roles.includes('provider');

export function commandsFor(all: Command[], user: User, place: Place): Command[] {
  return all.filter((c) => (!c.permission || can(user, c.permission)) && (!c.where || c.where.includes(place)) && forGuests(c, user));
}

/** Commands under their headings, in the order the bot lists its routes. */
function sectionsOf(commands: Command[]) {
  const sections: { title: string; commands: { usage: string; summary: string }[] }[] = [];
  for (const c of commands) {
    const title = c.group ?? '';
    let section = sections.find((s) => s.title === title);
    if (!section) sections.push((section = { title, commands: [] }));
    section.commands.push({ usage: c.usage, summary: c.summary });
  }
  return sections;
}

export function helpCard(all: Command[], user: User, place: Place) {
  const roles = user.roles.map((r) => ROLE_LABELS[r]).join(' and ');
  const here = place === 'personal' ? 'in this chat' : 'here (start with @Brokerage Bot)';
  return render('help', {
    title: `What you can do, ${user.name}`,
    intro: `You are a ${roles}${user.providerId ? ` for provider "${user.providerId}"` : ''}. Type any of these ${here}:`,
    sections: sectionsOf(commandsFor(all, user, place)),
    footer: 'Commands are not case-sensitive. Cards keep what you typed if something needs correcting.',
  });
}

export const sendCard = (ctx: TurnContext, card: object) => ctx.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card)));

export function commonRoutes(all: () => Command[]): Routes {
  return {
    title: 'Getting started',
    commands: [
      {
        usage: 'help',
        summary: 'What you can do here.',
        pattern: /^(help|\?|commands)$/i,
        run: async (ctx, _deps, { user }) => {
          await sendCard(ctx, helpCard(all(), user, placeOf(ctx)));
        },
      },
      {
        usage: 'whoami',
        summary: 'Your name, Entra object id and role as the bot sees them.',
        pattern: /^who\s*am\s*i$/i,
        run: async (ctx, _deps, { who, user }) => {
          await ctx.sendActivity(`You are ${user.name} (${user.roles.map((r) => ROLE_LABELS[r]).join(', ')}). Entra object id: ${who.aadObjectId}.`);
        },
      },
    ],
    actions: [],
  };
}

/** When Teams' member lookup did not answer: the user may well have a role, so they are told to try again, not that they have none. */
export const UNCONFIRMED = "Teams could not confirm which organisation you are signed in from just now, so I can't act on this yet. Please try again in a minute; if it keeps happening, tell the Brokerage Team.";

/** For people with no role: say so kindly, with what they need to get one. */
export async function explainNoRole(ctx: TurnContext, aadObjectId: string, open: Command[] = []): Promise<void> {
  const also = open.map((c) => `\n\n\`${c.usage}\`: ${c.summary}`).join('');
  await ctx.sendActivity(`${NO_ROLE_MESSAGE}\n\nYour Entra object id is ${aadObjectId || 'not available in this conversation'}.${also}`);
}
