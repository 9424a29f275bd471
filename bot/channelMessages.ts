import { ConfigurationServiceClientCredentialFactory } from 'botbuilder';
import type { Config } from '../src/config.js';

/**
 * Reads a channel's recent messages through Microsoft Graph (GET /teams/{group}/channels/{channel}/messages),
 * which the Bot Connector cannot do. It needs the resource-specific permission ChannelMessage.Read.Group,
 * declared in the app package (`npm run package` with READ_CHANNEL_MESSAGES=true) and granted by the
 * team's owner when the app is added; the token is the bot's own identity's, from the council's tenant
 * (Graph serves a channel's messages only to the tenant that owns the channel).
 */
export interface ChannelMessages {
  /** The ids of the bot's messages among the channel's newest `pages` × 50 whose card names `postId`. */
  postsOf(groupId: string, channelId: string, postId: string): Promise<string[]>;
}

interface GraphMessage {
  id: string;
  deletedDateTime?: string | null;
  from?: { application?: { id?: string } | null } | null;
  attachments?: { contentType?: string; content?: string | null }[];
}

/** The post a card belongs to, as its `refresh` names it (bot/views/calloffCards.ts, withRefresh). */
function postIdOf(content: string | null | undefined): string | undefined {
  try {
    const card = JSON.parse(content ?? '') as { refresh?: { action?: { data?: { postId?: unknown } } } };
    const id = card.refresh?.action?.data?.postId;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

export function graphChannelMessages(options: { graphUrl: string; appId: string; token: () => Promise<string | undefined>; pages?: number }): ChannelMessages {
  return {
    async postsOf(groupId, channelId, postId) {
      const found: string[] = [];
      let url: string | undefined = `${options.graphUrl.replace(/\/+$/, '')}/v1.0/teams/${encodeURIComponent(groupId)}/channels/${encodeURIComponent(channelId)}/messages?$top=50`;
      // A copy is at most a few minutes old: the newest pages are where it is.
      for (let page = 0; url && page < (options.pages ?? 3); page++) {
        const token = await options.token();
        const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {}, signal: AbortSignal.timeout(15_000) });
        if (!res.ok) throw new Error(`Microsoft Graph answered ${res.status} to a read of the channel's messages${res.status === 403 ? ' (is ChannelMessage.Read.Group granted for this team?)' : ''}`);
        const body = (await res.json()) as { value?: GraphMessage[]; '@odata.nextLink'?: string };
        for (const m of body.value ?? []) {
          if (m.deletedDateTime) continue;
          if (options.appId && m.from?.application?.id !== options.appId) continue;
          if (m.attachments?.some((a) => a.contentType === 'application/vnd.microsoft.card.adaptive' && postIdOf(a.content) === postId)) found.push(m.id);
        }
        url = body['@odata.nextLink'];
      }
      return found;
    },
  };
}

const GRAPH_RESOURCE = 'https://graph.microsoft.com';

/**
 * An app-only token for Graph from the council's tenant, with the bot's own credentials (client
 * secret or user-assigned managed identity); none for an anonymous bot (local runs and tests).
 */
export function graphToken(config: Pick<Config, 'MICROSOFT_APP_ID' | 'MICROSOFT_APP_PASSWORD' | 'MICROSOFT_APP_TYPE' | 'MICROSOFT_APP_TENANT_ID'>): () => Promise<string | undefined> {
  const appId = config.MICROSOFT_APP_ID;
  if (!appId) return async () => undefined;
  const tenant = config.MICROSOFT_APP_TENANT_ID!;
  const factory = new ConfigurationServiceClientCredentialFactory({
    MicrosoftAppId: appId,
    MicrosoftAppPassword: config.MICROSOFT_APP_PASSWORD,
    // A single-tenant client whatever the bot's type: Graph must be asked from the council's tenant.
    MicrosoftAppType: config.MICROSOFT_APP_TYPE === 'UserAssignedMSI' ? 'UserAssignedMsi' : 'SingleTenant',
    MicrosoftAppTenantId: tenant,
  });
  let credentials: Promise<{ getToken(): Promise<string> }> | undefined;
  return async () => {
    credentials ??= factory.createCredentials(appId, GRAPH_RESOURCE, `https://login.microsoftonline.com/${tenant}`, true) as unknown as Promise<{ getToken(): Promise<string> }>;
    return (await credentials).getToken();
  };
}
