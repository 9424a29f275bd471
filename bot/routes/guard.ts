import type { User } from '../../src/domain/framework.js';
import type { Who } from '../../src/app/actor.js';
import { AppError } from '../../src/app/errors.js';
import type { Deps } from '../deps.js';
import type { Action } from '../registry.js';
import type { CardJson } from '../render.js';
import { turnOutcome } from '../../src/metrics.js';

export type Turn = { who: Who; user: User; data: Record<string, unknown> };

/** A refusal as one sentence: the field messages when there are any. */
export function refusalText(e: AppError): string {
  const fields = Object.values(e.fields);
  if (!fields.length) return e.message;
  const text = fields.join('; ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}${/[.!?]$/.test(text) ? '' : '.'}`;
}

/**
 * An action whose refusals come back as a card, when `onError` can build one (e.g. the call-off
 * with the reason on it), or else as their words.
 */
export function guarded(
  verb: string,
  permission: Action['permission'],
  run: (deps: Deps, turn: Turn) => Promise<CardJson | string>,
  onError?: (deps: Deps, turn: Turn, e: AppError) => Promise<CardJson | string>,
  options: { once?: boolean } = {},
): Action {
  return {
    verb,
    permission,
    once: options.once,
    run: async (_ctx, deps, turn) => {
      try {
        return await run(deps, turn);
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        turnOutcome('rejected');
        // Forbidden is someone acting on what is not theirs (another worker's evaluation, an award it did not win): audit it.
        if (e.kind === 'forbidden') await deps.refusals.record(turn.who, `action ${verb}`, e.message);
        if (!onError) return refusalText(e);
        try {
          return await onError(deps, turn, e);
        } catch {
          return refusalText(e);
        }
      }
    },
  };
}
