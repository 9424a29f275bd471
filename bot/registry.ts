import type { TurnContext } from 'botbuilder';
import type { User } from '../src/domain/framework.js';
import type { Permission } from '../src/app/permissions.js';
import type { Who } from '../src/app/actor.js';
import type { Deps } from './deps.js';
import type { CardJson } from './render.js';

/** A typed text command. `permission` is checked before `run`; none means any user with a role. */
export interface Command {
  usage: string;
  summary: string;
  pattern: RegExp;
  permission?: Permission;
  /** Shown in help for these places only (default: everywhere). */
  where?: ('personal' | 'channel' | 'groupChat')[];
  /**
   * Also answered for people with no role yet (e.g. a provider applying to the framework): they
   * get `guestOf(who)`, a user with no roles. People with a role still need `permission`.
   */
  open?: boolean;
  run(ctx: TurnContext, deps: Deps, turn: { who: Who; user: User; match: RegExpMatchArray }): Promise<void>;
  /** Set from its Routes' title when the bot is built. */
  group?: string;
}

/** An Action.Execute verb. It returns the card that replaces the clicked one, or a short message. */
export interface Action {
  verb: string;
  permission?: Permission;
  /** Also open to people with no role, as for Command.open; the use case decides what they may do. */
  open?: boolean;
  /**
   * The action changes something: a repeat of the same click (a double click, Teams retrying an
   * invoke) within 15 seconds gets the first answer instead of running again. Views and forms leave
   * this off, so clicking them again always shows the current state.
   */
  once?: boolean;
  run(ctx: TurnContext, deps: Deps, turn: { who: Who; user: User; data: Record<string, unknown> }): Promise<CardJson | string>;
}

export interface Routes {
  /** The heading its commands come under in help. */
  title: string;
  commands: Command[];
  actions: Action[];
}

/** Someone Teams identifies but the council has given no role: `can()` is false for every permission. */
export function guestOf(who: Who): User {
  return { id: who.aadObjectId, name: who.name || 'Applicant', tenantId: who.tenantId, roles: [] as unknown as User['roles'] };
}
