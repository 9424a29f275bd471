import type { TurnContext } from 'botbuilder';
import { ConnectorClient } from 'botframework-connector';
import { describeFailure, RETRYABLE, TIMEOUT, type SendFailure } from '../src/outbox/retryPolicy.js';

/**
 * How Teams' members API is asked inside a turn. An invoke must be answered within 5 s, so a
 * failure is tried again twice, soon (a passing 500 or 429), and the whole lookup stays within
 * `budgetMs`. The connector client's own policy would retry three times over 1.5–7 s (jittered),
 * past that limit, so it is not used here.
 */
export const MEMBER_LOOKUP = { backoffMs: [100, 400], tryTimeoutMs: 1_000, budgetMs: 2_500 };

/** The member's own tenant (none: Teams named no tenant, or the user is not a member), or why Teams could not be asked. */
export type MemberAnswer = { tenantId?: string } | { failed: string; tries: number };

/** The acting user's own tenant from Teams' member lookup (TeamsInfo.getMember's request), with the retries above. */
export async function lookUpMemberTenant(ctx: TurnContext, policy = MEMBER_LOOKUP): Promise<MemberAnswer> {
  const turn = ctx.turnState.get(ctx.adapter.ConnectorClientKey) as ConnectorClient | undefined;
  if (!turn) return { failed: 'no connector client in this turn', tries: 0 };
  // A client of its own on the turn's credentials, so that taking the retry policy off leaves the turn's replies theirs.
  const client = new ConnectorClient(turn.credentials, { baseUri: ctx.activity.serviceUrl });
  (client as unknown as { client: { pipeline: { removePolicy(o: { phase: 'Retry' }): unknown } } }).client.pipeline.removePolicy({ phase: 'Retry' });
  // As TeamsInfo.getMember asks: the team's roster in a team, else the conversation's.
  const roster = (ctx.activity.channelData as { team?: { id?: string } } | undefined)?.team?.id ?? ctx.activity.conversation.id;
  const deadline = Date.now() + policy.budgetMs;
  for (let tries = 1; ; tries++) {
    try {
      const member = await client.conversations.getConversationMember(roster, ctx.activity.from.id, { abortSignal: AbortSignal.timeout(Math.max(1, Math.min(policy.tryTimeoutMs, deadline - Date.now()))) });
      return { tenantId: (member as { tenantId?: string }).tenantId?.toLowerCase() || undefined };
    } catch (error) {
      const timedOut = ['AbortError', 'TimeoutError'].includes((error as Error)?.name);
      const f: SendFailure = timedOut ? { status: TIMEOUT, message: 'no answer in time' } : describeFailure(error);
      if (f.status === 404) return {}; // not a member of this roster: an answer, not a failure
      const wait = Math.max(policy.backoffMs[tries - 1] ?? Infinity, f.retryAfterMs ?? 0);
      const transient = f.status === TIMEOUT || RETRYABLE.has(f.status as number);
      if (!transient || Date.now() + wait >= deadline) return { failed: `${f.status ?? ''} ${f.message}`.trim(), tries };
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}
