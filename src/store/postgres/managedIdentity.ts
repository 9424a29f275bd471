/**
 * Signing in to Azure Database for PostgreSQL with the App Service's managed identity instead of
 * a password: the identity's access token is the password. App Service hands tokens out on a
 * local endpoint named by IDENTITY_ENDPOINT, guarded by IDENTITY_HEADER. A token lasts about a
 * day; it is reused until five minutes before it expires, and only new connections need one.
 */
export const POSTGRES_RESOURCE = 'https://ossrdbms-aad.database.windows.net';

export interface IdentityEnv {
  IDENTITY_ENDPOINT?: string;
  IDENTITY_HEADER?: string;
  /** A user-assigned identity's client id; unset for the system-assigned identity. */
  AZURE_CLIENT_ID?: string;
}

export function managedIdentityPassword(env: IdentityEnv, now: () => number = Date.now): () => Promise<string> {
  const endpoint = env.IDENTITY_ENDPOINT;
  const header = env.IDENTITY_HEADER;
  if (!endpoint || !header) {
    throw new Error('PGPASSWORD_FROM=managed-identity needs IDENTITY_ENDPOINT and IDENTITY_HEADER: turn on the App Service managed identity.');
  }
  let cached: { token: string; expiresAt: number } | undefined;
  return async () => {
    if (cached && cached.expiresAt - 5 * 60_000 > now()) return cached.token;
    const url = new URL(endpoint);
    url.searchParams.set('resource', POSTGRES_RESOURCE);
    url.searchParams.set('api-version', '2019-08-01');
    if (env.AZURE_CLIENT_ID) url.searchParams.set('client_id', env.AZURE_CLIENT_ID);
    const res = await fetch(url, { headers: { 'X-IDENTITY-HEADER': header }, signal: AbortSignal.timeout(10_000) });
    const text = await res.text();
    if (!res.ok) throw new Error(`The managed identity endpoint answered ${res.status}: ${text.slice(0, 200)}`);
    const body = JSON.parse(text) as { access_token?: string; expires_on?: string | number };
    if (!body.access_token) throw new Error('The managed identity endpoint answered without an access token.');
    // expires_on is seconds since the epoch (a string on App Service).
    const expiresAt = Number(body.expires_on) * 1000;
    cached = { token: body.access_token, expiresAt: Number.isFinite(expiresAt) ? expiresAt : now() + 30 * 60_000 };
    return cached.token;
  };
}
