import { z } from 'zod';

/**
 * What every activity the bot acts on must carry, checked before it reaches the adapter. The Bot
 * Connector always sends these; a request without them is malformed and gets a 400 naming what is
 * wrong, instead of failing deep inside botbuilder or teams-ai as a 500, or going unanswered as a
 * 501 (teams-ai answers 501 to an invoke no route takes, e.g. one whose verb is not a string).
 */
const Account = z.object({ id: z.string().min(1, 'is required'), name: z.string().optional(), aadObjectId: z.string().optional() }, { invalid_type_error: 'must be an object' });

const Activity = z
  .object(
    {
      type: z.string({ required_error: 'is required', invalid_type_error: 'must be a string' }).min(1, 'is required'),
      serviceUrl: z.string({ required_error: 'is required', invalid_type_error: 'must be a string' }).url('must be a URL'),
      channelId: z.string({ required_error: 'is required', invalid_type_error: 'must be a string' }).min(1, 'is required'),
      conversation: z.object({ id: z.string({ required_error: 'is required', invalid_type_error: 'must be a string' }).min(1, 'is required'), tenantId: z.string().optional() }, { required_error: 'is required', invalid_type_error: 'must be an object' }),
      from: Account.optional(),
      recipient: Account.optional(),
      text: z.string({ invalid_type_error: 'must be a string' }).optional(),
      name: z.string({ invalid_type_error: 'must be a string' }).optional(),
      channelData: z.object({ tenant: z.object({ id: z.string({ invalid_type_error: 'must be a string' }) }).optional() }, { invalid_type_error: 'must be an object' }).passthrough().optional(),
    },
    { invalid_type_error: 'must be a JSON object' },
  )
  .passthrough()
  .superRefine((a, ctx) => {
    if ((a.type === 'message' || a.type === 'invoke') && !a.from) ctx.addIssue({ code: 'custom', path: ['from'], message: 'is required' });
    if (a.type !== 'invoke') return;
    if (!a.name) return ctx.addIssue({ code: 'custom', path: ['name'], message: 'is required for an invoke' });
    if (a.name !== 'adaptiveCard/action') return;
    const value = (a as { value?: unknown }).value as { action?: { type?: unknown; verb?: unknown; data?: unknown } } | undefined;
    if (!value || typeof value !== 'object') return ctx.addIssue({ code: 'custom', path: ['value'], message: 'is required for an adaptiveCard/action invoke' });
    if (!value.action || typeof value.action !== 'object') return ctx.addIssue({ code: 'custom', path: ['value', 'action'], message: 'is required' });
    if (typeof value.action.type !== 'string') ctx.addIssue({ code: 'custom', path: ['value', 'action', 'type'], message: 'must be a string' });
    if (value.action.type === 'Action.Execute' && typeof value.action.verb !== 'string') ctx.addIssue({ code: 'custom', path: ['value', 'action', 'verb'], message: 'must be a string' });
    if (value.action.data !== undefined && (value.action.data === null || typeof value.action.data !== 'object' || Array.isArray(value.action.data))) ctx.addIssue({ code: 'custom', path: ['value', 'action', 'data'], message: 'must be an object' });
  });

/** Why this body is not an activity the bot can act on ("conversation.id is required"), or undefined. */
export function activityProblem(body: unknown): string | undefined {
  const r = Activity.safeParse(body);
  if (r.success) return undefined;
  return r.error.issues
    .slice(0, 3)
    .map((i) => (i.path.length ? `${i.path.join('.')} ${i.message}` : `the activity ${i.message}`))
    .join('; ');
}
