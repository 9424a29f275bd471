/**
 * Short-lived signed download links for documents that hold personal or payment data (the person's
 * choice pack, the payments export), served by
 * the bot itself at GET /files/:token. Teams fetches a card's images from their URL and opens an
 * Action.OpenUrl in the browser, neither with the user's Teams identity, so the link itself is the
 * permission: unguessable, signed and short-lived.
 *
 * Token: `<id>.<expiry, ms since epoch, base 36>.<HMAC-SHA256(secret, "<id>.<expiry>"), base64url>`.
 * A token whose signature does not check is refused 403 (forged or altered: the expiry is signed
 * too); a genuine one past its expiry, or whose file is no longer here, 410 Gone.
 *
 * With the embedded store the files are kept in memory only, evicted at expiry and beyond a size
 * cap: a restart loses them (their links then answer 410 and the bot makes new ones in a second).
 * That is cheap to redo and keeps personal data off the disk. With PostgreSQL they wait in the
 * database, where every instance can serve them, and are deleted at expiry (postgres/shelfFiles.ts). Report charts and CSVs, which hold none, use the
 * longer-lived links of links.ts instead.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface ShelfFile {
  body: Buffer;
  contentType: string;
  /** A download file name (CSV): served with Content-Disposition: attachment. */
  filename?: string;
}

/** How long a link to a document holding personal or payment data (a choice pack, a payments export) works: one hour. */
export const PRIVATE_FILE_TTL_MS = 3_600_000;

export interface ShelfOptions {
  /** HMAC key; a random one per process when not given (links then die with the process). */
  secret?: string;
  ttlMs: number;
  /** The bot's public base URL, e.g. https://bot.council.gov.uk (read at each put: it is known after listen). */
  baseUrl: () => string;
  now?: () => Date;
  maxBytes?: number;
}

export type Taken = { ok: true; file: ShelfFile; expiresAt: Date } | { ok: false; status: 403 | 410; message: string };

/**
 * Where the files wait for their links to be opened. In memory for one process (the embedded
 * store); in PostgreSQL when several instances serve the bot, since the instance that opens a link
 * is not always the one that made it.
 */
export interface ShelfStorage {
  keep(id: string, file: ShelfFile, expires: number, now: number): Promise<void>;
  /** The file, unless it expired (at `now`) or was evicted. */
  fetch(id: string, now: number): Promise<ShelfFile | undefined>;
}

export class FileShelf {
  private readonly secret: Buffer;
  private readonly now: () => Date;
  private readonly storage: ShelfStorage;

  constructor(private readonly options: ShelfOptions & { storage?: ShelfStorage }) {
    this.secret = options.secret ? Buffer.from(options.secret, 'utf8') : randomBytes(32);
    this.now = options.now ?? (() => new Date());
    this.storage = options.storage ?? new MemoryShelf(options.maxBytes);
  }

  /** Keeps a file and returns its signed link. */
  async put(file: ShelfFile): Promise<{ url: string; token: string; expiresAt: Date }> {
    const id = randomBytes(16).toString('base64url');
    const now = this.now().getTime();
    const expires = now + this.options.ttlMs;
    await this.storage.keep(id, file, expires, now);
    const token = `${id}.${expires.toString(36)}.${this.sign(id, expires)}`;
    return { url: `${this.options.baseUrl().replace(/\/+$/, '')}/files/${token}`, token, expiresAt: new Date(expires) };
  }

  async take(token: string): Promise<Taken> {
    const m = /^([A-Za-z0-9_-]{22})\.([0-9a-z]{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
    if (!m) return { ok: false, status: 403, message: 'This link is not valid.' };
    const [, id, exp36, sig] = m;
    const expires = parseInt(exp36, 36);
    // One spelling per token: "0abc" parses like "abc", so only the spelling put() made is accepted.
    if (!Number.isSafeInteger(expires) || expires.toString(36) !== exp36) return { ok: false, status: 403, message: 'This link is not valid.' };
    const expected = Buffer.from(this.sign(id, expires));
    if (!timingSafeEqual(expected, Buffer.from(sig))) return { ok: false, status: 403, message: 'This link is not valid.' };
    const now = this.now().getTime();
    if (expires <= now) return { ok: false, status: 410, message: 'This link has expired. Ask the bot for it again to get a new one.' };
    const file = await this.storage.fetch(id, now);
    if (!file) return { ok: false, status: 410, message: 'This file is no longer available (the bot may have restarted). Ask the bot for it again.' };
    return { ok: true, file, expiresAt: new Date(expires) };
  }

  private sign(id: string, expires: number): string {
    return createHmac('sha256', this.secret).update(`${id}.${expires}`).digest('base64url');
  }
}

/** The files in this process's memory: evicted at expiry and, oldest first, beyond a size cap. */
export class MemoryShelf implements ShelfStorage {
  private readonly files = new Map<string, { file: ShelfFile; expires: number }>();
  private bytes = 0;

  constructor(private readonly maxBytes = 64 * 1024 * 1024) {}

  async keep(id: string, file: ShelfFile, expires: number, now: number): Promise<void> {
    this.prune(now);
    this.files.set(id, { file, expires });
    this.bytes += file.body.length;
    // Oldest first (a Map keeps insertion order).
    for (const old of this.files.keys()) {
      if (this.bytes <= this.maxBytes || this.files.size <= 1) break;
      this.drop(old);
    }
  }

  async fetch(id: string, now: number): Promise<ShelfFile | undefined> {
    const held = this.files.get(id);
    return held && held.expires > now ? held.file : undefined;
  }

  get size(): number {
    return this.files.size;
  }

  private prune(now: number): void {
    for (const [id, f] of this.files) if (f.expires <= now) this.drop(id);
  }

  private drop(id: string): void {
    const f = this.files.get(id);
    if (!f) return;
    this.bytes -= f.file.body.length;
    this.files.delete(id);
  }
}

/** The HTTP answer for GET /files/:token: the file with its type (and a download name for CSV), or why not. */
export async function shelfResponse(shelf: FileShelf, token: string, now: Date = new Date()): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
  const taken = await shelf.take(token);
  const base = { 'cache-control': 'private, no-store', 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };
  if (!taken.ok) return { status: taken.status, headers: { ...base, 'content-type': 'text/plain; charset=utf-8' }, body: Buffer.from(`${taken.message}\n`) };
  const { file } = taken;
  const maxAge = Math.max(0, Math.floor((taken.expiresAt.getTime() - now.getTime()) / 1000));
  return {
    status: 200,
    headers: {
      ...base,
      // A download (a choice pack naming the person, a payments CSV with case references) is not kept
      // in the browser's cache on a shared council computer.
      'cache-control': file.filename ? 'private, no-store' : `private, max-age=${maxAge}`,
      'content-type': file.contentType,
      'content-length': String(file.body.length),
      'content-disposition': file.filename ? `attachment; filename="${file.filename.replace(/["\\\r\n]/g, '_')}"` : 'inline',
    },
    body: file.body,
  };
}
