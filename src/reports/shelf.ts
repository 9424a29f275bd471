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
 * The files are kept in memory only, evicted at expiry and beyond a size cap: a restart loses
 * them (their links then answer 410 and the bot makes new ones in a second). That is cheap to
 * redo and keeps personal data off the disk. Report charts and CSVs, which hold none, use the
 * longer-lived links of links.ts instead.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface ShelfFile {
  body: Buffer;
  contentType: string;
  /** A download file name (CSV): served with Content-Disposition: attachment. */
  filename?: string;
}

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

export class FileShelf {
  private readonly files = new Map<string, { file: ShelfFile; expires: number }>();
  private readonly secret: Buffer;
  private readonly now: () => Date;
  private bytes = 0;

  constructor(private readonly options: ShelfOptions) {
    this.secret = options.secret ? Buffer.from(options.secret, 'utf8') : randomBytes(32);
    this.now = options.now ?? (() => new Date());
  }

  /** Keeps a file and returns its signed link. */
  put(file: ShelfFile): { url: string; token: string; expiresAt: Date } {
    this.prune();
    const id = randomBytes(16).toString('base64url');
    const expires = this.now().getTime() + this.options.ttlMs;
    this.files.set(id, { file, expires });
    this.bytes += file.body.length;
    this.evictOverCap();
    const token = `${id}.${expires.toString(36)}.${this.sign(id, expires)}`;
    return { url: `${this.options.baseUrl().replace(/\/+$/, '')}/files/${token}`, token, expiresAt: new Date(expires) };
  }

  take(token: string): Taken {
    const m = /^([A-Za-z0-9_-]{22})\.([0-9a-z]{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
    if (!m) return { ok: false, status: 403, message: 'This link is not valid.' };
    const [, id, exp36, sig] = m;
    const expires = parseInt(exp36, 36);
    // One spelling per token: "0abc" parses like "abc", so only the spelling put() made is accepted.
    if (!Number.isSafeInteger(expires) || expires.toString(36) !== exp36) return { ok: false, status: 403, message: 'This link is not valid.' };
    const expected = Buffer.from(this.sign(id, expires));
    if (!timingSafeEqual(expected, Buffer.from(sig))) return { ok: false, status: 403, message: 'This link is not valid.' };
    if (expires <= this.now().getTime()) return { ok: false, status: 410, message: 'This link has expired. Ask the bot for it again to get a new one.' };
    const held = this.files.get(id);
    if (!held) return { ok: false, status: 410, message: 'This file is no longer available (the bot may have restarted). Ask the bot for it again.' };
    return { ok: true, file: held.file, expiresAt: new Date(expires) };
  }

  get size(): number {
    return this.files.size;
  }

  private sign(id: string, expires: number): string {
    return createHmac('sha256', this.secret).update(`${id}.${expires}`).digest('base64url');
  }

  private prune(): void {
    const now = this.now().getTime();
    for (const [id, f] of this.files) if (f.expires <= now) this.drop(id);
  }

  /** Oldest first (a Map keeps insertion order). */
  private evictOverCap(): void {
    const cap = this.options.maxBytes ?? 64 * 1024 * 1024;
    for (const id of this.files.keys()) {
      if (this.bytes <= cap || this.files.size <= 1) break;
      this.drop(id);
    }
  }

  private drop(id: string): void {
    const f = this.files.get(id);
    if (!f) return;
    this.bytes -= f.file.body.length;
    this.files.delete(id);
  }
}

/** The HTTP answer for GET /files/:token: the file with its type (and a download name for CSV), or why not. */
export function shelfResponse(shelf: FileShelf, token: string, now: Date = new Date()): { status: number; headers: Record<string, string>; body: Buffer } {
  const taken = shelf.take(token);
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
