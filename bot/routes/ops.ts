import { opsStatus } from '../../src/app/ops/status.js';
import { sendPostAgain } from '../../src/app/ops/sendAgain.js';
import { AppError } from '../../src/app/errors.js';
import type { Who } from '../../src/app/actor.js';
import type { Deps } from '../deps.js';
import type { Routes } from '../registry.js';
import type { CardJson } from '../render.js';
import { opsCard } from '../views/opsCards.js';
import { sendCard } from './common.js';

/** The running server's store and instance (index.ts); a bot built without them (some tests) has no operations view. */
const NO_SERVER = 'The operations view needs the running server: start the bot with `npm start` (or `npm run dev`).';

async function view(deps: Deps, who: Who, notice?: { text: string; good: boolean }): Promise<CardJson | string> {
  if (!deps.ops) return NO_SERVER;
  return opsCard(await opsStatus(deps.store, who, deps.ops, deps.now()), notice);
}

/** `ops` for admins (commissioners), in the 1:1 chat: how the service is doing, and failed posts to send again. */
export function opsRoutes(): Routes {
  return {
    title: 'Operations',
    commands: [
      {
        usage: 'ops',
        summary: 'How the service is doing: instances, the outbox, failed posts (send them again), unreachable channels, overdue jobs, the store and its schema.',
        pattern: /^ops$/i,
        permission: 'service.operate',
        where: ['personal'],
        run: async (ctx, deps, { who }) => {
          const card = await view(deps, who);
          await (typeof card === 'string' ? ctx.sendActivity(card) : sendCard(ctx, card));
        },
      },
    ],
    actions: [
      { verb: 'ops.refresh', permission: 'service.operate', run: (_ctx, deps, { who }) => view(deps, who) },
      {
        verb: 'ops.resend',
        permission: 'service.operate',
        once: true,
        run: async (_ctx, deps, { who, data }) => {
          try {
            const item = await sendPostAgain(deps.store, who, String(data.id ?? ''), deps.now());
            return await view(deps, who, { text: `Queued again: ${item.message.kind}${'ref' in item.message ? ` for ${item.message.ref}` : ''}. It goes out in a moment; Refresh shows how it went.`, good: true });
          } catch (e) {
            if (!(e instanceof AppError) || e.kind === 'forbidden') throw e;
            return await view(deps, who, { text: `Not sent again: ${e.message}`, good: false });
          }
        },
      },
    ],
  };
}
