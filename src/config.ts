import { z } from 'zod';

const Fields = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(3978),
  HOST: z.string().default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('./data'),
  /** Set: the store is this PostgreSQL database (production, several instances); unset: the embedded store in DATA_DIR. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//i, 'must be a PostgreSQL URL such as postgres://brokerage@db.example:5432/brokerage?sslmode=verify-full')
    .optional(),
  /** `managed-identity`: sign in to Azure Database for PostgreSQL with the App Service's managed identity instead of a password. */
  PGPASSWORD_FROM: z.enum(['managed-identity']).optional(),
  /** How many connections each instance keeps to PostgreSQL. */
  PG_POOL_SIZE: z.coerce.number().int().min(2).max(100).default(10),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  MICROSOFT_APP_ID: z
    .string()
    .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be the Azure Bot\'s app (client) id, a GUID')
    .optional(),
  MICROSOFT_APP_PASSWORD: z.string().min(1).optional(),
  MICROSOFT_APP_TYPE: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).default('MultiTenant'),
  MICROSOFT_APP_TENANT_ID: z.string().optional(),
  /** More tenants whose users may hold council roles (comma-separated), besides MICROSOFT_APP_TENANT_ID. */
  COUNCIL_TENANT_IDS: z.string().optional(),
  /** The bot's public base URL (reports' chart images and CSV links); unset: http://localhost:<port it listens on>. */
  PUBLIC_URL: z
    .string()
    .url('must be a URL such as https://brokerage.council.gov.uk')
    .refine((u) => /^https?:\/\//i.test(u), 'must start with http:// or https://')
    .transform((u) => u.replace(/\/+$/, ''))
    .optional(),
  /** HMAC key for the signed report links; unset: a key kept in DATA_DIR (set it when several instances serve one bot). */
  LINK_SECRET: z.string().min(32, 'must be at least 32 characters (e.g. `openssl rand -base64 48`)').optional(),
  /** How long a report's chart and CSV links work: at least a month by default, so a report in a chat's history keeps its charts. */
  LINK_TTL_DAYS: z.coerce.number().min(1, 'must be at least 1').max(400, 'must be at most 400').default(35),
  /**
   * `true` when the app package declares the resource-specific permission ChannelMessage.Read.Group
   * (`npm run package` with the same variable) and team owners granted it: a post taken over from an
   * instance that stopped mid-send is then looked for in its channel before it is posted again.
   */
  READ_CHANNEL_MESSAGES: z.enum(['true', 'false'], { message: 'must be true or false' }).default('false').transform((v) => v === 'true'),
  /** Microsoft Graph's base URL (a national cloud's, or a local stand-in in tests). */
  GRAPH_URL: z.string().url('must be a URL such as https://graph.microsoft.com').default('https://graph.microsoft.com'),
});

/** Rules across variables, checked on the raw values so they are reported even when another variable is bad. */
function crossChecks(env: Record<string, unknown>, ctx: z.RefinementCtx): void {
  const type = env.MICROSOFT_APP_TYPE ?? 'MultiTenant';
  if (env.MICROSOFT_APP_ID && type !== 'UserAssignedMSI' && !env.MICROSOFT_APP_PASSWORD) {
    ctx.addIssue({ code: 'custom', path: ['MICROSOFT_APP_PASSWORD'], message: 'is required when MICROSOFT_APP_ID is set (the client secret)' });
  }
  // Council roles hold only in the council's tenant(s): with real Teams traffic the bot must know which they are.
  if (env.MICROSOFT_APP_ID && !env.MICROSOFT_APP_TENANT_ID && !env.COUNCIL_TENANT_IDS) {
    ctx.addIssue({ code: 'custom', path: ['MICROSOFT_APP_TENANT_ID'], message: "is required when MICROSOFT_APP_ID is set (the council's tenant: council roles hold only there; COUNCIL_TENANT_IDS adds more)" });
  }
  // Several instances must sign and check links with one key: a key kept in one instance's DATA_DIR would not open on another.
  if (env.DATABASE_URL && !env.LINK_SECRET) {
    ctx.addIssue({ code: 'custom', path: ['LINK_SECRET'], message: 'is required when DATABASE_URL is set (every instance must share the key that signs report links)' });
  }
  // Instances behind a load balancer: a link made with one instance's own address reaches only that instance, and nothing once it is replaced.
  if (env.DATABASE_URL && env.MICROSOFT_APP_ID && !env.PUBLIC_URL) {
    ctx.addIssue({ code: 'custom', path: ['PUBLIC_URL'], message: "is required when DATABASE_URL and MICROSOFT_APP_ID are set: the load balancer's HTTPS address (the messaging endpoint's host), the same on every instance" });
  }
  if (env.PGPASSWORD_FROM && !env.DATABASE_URL) {
    ctx.addIssue({ code: 'custom', path: ['PGPASSWORD_FROM'], message: 'only applies with DATABASE_URL' });
  }
  if (env.LINK_TTL_HOURS !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['LINK_TTL_HOURS'], message: 'is replaced by LINK_TTL_DAYS (default 35): report links now last a month or more' });
  }
  if (type === 'SingleTenant' && !env.MICROSOFT_APP_TENANT_ID && !env.MICROSOFT_APP_ID) {
    ctx.addIssue({ code: 'custom', path: ['MICROSOFT_APP_TENANT_ID'], message: 'is required when MICROSOFT_APP_TYPE is SingleTenant' });
  }
}

const CrossRules = z.record(z.unknown()).superRefine(crossChecks);

export type Config = z.infer<typeof Fields> & {
  anonymous: boolean;
  /** Tenants (lower case) whose users may act in council roles; empty only in anonymous mode. */
  councilTenants: string[];
};

export class ConfigError extends Error {}

/** Reads the environment once at start; every bad variable is named with what is wrong with it. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const r = Fields.safeParse(cleaned);
  const cross = CrossRules.safeParse(cleaned);
  const issues = [...(r.success ? [] : r.error.issues), ...(cross.success ? [] : cross.error.issues)];
  if (!r.success || issues.length) {
    const lines = issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Configuration is not valid:\n${lines.join('\n')}`);
  }
  const councilTenants = [...new Set([r.data.MICROSOFT_APP_TENANT_ID, ...(r.data.COUNCIL_TENANT_IDS ?? '').split(',')].map((t) => (t ?? '').trim().toLowerCase()).filter(Boolean))];
  return { ...r.data, anonymous: !r.data.MICROSOFT_APP_ID, councilTenants };
}
