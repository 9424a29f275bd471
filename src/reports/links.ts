/**
 * Signed links to what a report produces (chart PNGs, CSV files), served by the bot itself at
 * GET /files/:token. Teams fetches a card's images from their URL and opens an Action.OpenUrl in the
 * browser, neither with the user's Teams identity, so the link itself is the permission:
 * unguessable, signed, and valid for a stated time (LINK_TTL_DAYS, a month and more by default).
 *
 * A link names what to draw, not a stored file: which chart or CSV, and the report's period.
 * The file is drawn again from the store when the link is opened, so links survive restarts and work
 * on any instance that has the data and the same key, and nothing is kept on disk or in memory that
 * could hold personal data (a token holds a file kind and two dates; the files hold none either).
 *
 * Token: `<file>.<from YYYYMMDD>.<to YYYYMMDD>.<expiry, ms since epoch, base 36>.<HMAC-SHA256 of
 * the rest, base64url>`. A token whose signature does not check is refused 403 (forged or altered:
 * every part is signed); a genuine one past its expiry 410 Gone.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** What a link can point at: the two charts and the five CSV exports; the market's heat map and CSV (issue 25). */
export const REPORT_FILES = ['awards-spend', 'days-to-award', 'awards', 'calloffs', 'bids', 'off-contract', 'approvals', 'market-map', 'market'] as const;
export type ReportFile = (typeof REPORT_FILES)[number];

export interface LinkSpec {
  file: ReportFile;
  /** The report's period, UK days YYYY-MM-DD, both ends included. */
  from: string;
  to: string;
}

export interface LinkOptions {
  /** HMAC key; a random one per process when not given (links then die with the process). */
  secret?: string;
  ttlMs: number;
  /** The bot's public base URL, e.g. https://bot.council.gov.uk (read at each link: it is known after listen). */
  baseUrl: () => string;
  now?: () => Date;
}

export type Opened = { ok: true; spec: LinkSpec; expiresAt: Date } | { ok: false; status: 403 | 410; message: string };

const TOKEN = /^([a-z-]{4,16})\.(\d{8})\.(\d{8})\.([0-9a-z]{1,12})\.([A-Za-z0-9_-]{43})$/;
const compact = (day: string) => day.replaceAll('-', '');
const dashed = (d: string) => `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}`;

export class ReportLinks {
  private readonly secret: Buffer;
  private readonly now: () => Date;

  constructor(private readonly options: LinkOptions) {
    this.secret = options.secret ? Buffer.from(options.secret, 'utf8') : randomBytes(32);
    this.now = options.now ?? (() => new Date());
  }

  /** A signed link to one file of a report, valid for the configured time from now. */
  link(spec: LinkSpec): { url: string; token: string; expiresAt: Date } {
    const expires = this.now().getTime() + this.options.ttlMs;
    const body = `${spec.file}.${compact(spec.from)}.${compact(spec.to)}.${expires.toString(36)}`;
    const token = `${body}.${this.sign(body)}`;
    return { url: `${this.options.baseUrl().replace(/\/+$/, '')}/files/${token}`, token, expiresAt: new Date(expires) };
  }

  open(token: string): Opened {
    const m = TOKEN.exec(token);
    if (!m) return { ok: false, status: 403, message: 'This link is not valid.' };
    const [, file, from, to, exp36, sig] = m;
    const body = `${file}.${from}.${to}.${exp36}`;
    if (!timingSafeEqual(Buffer.from(this.sign(body)), Buffer.from(sig))) return { ok: false, status: 403, message: 'This link is not valid.' };
    if (!(REPORT_FILES as readonly string[]).includes(file)) return { ok: false, status: 403, message: 'This link is not valid.' };
    const expires = parseInt(exp36, 36);
    if (expires <= this.now().getTime()) return { ok: false, status: 410, message: 'This link has expired. Ask the bot for the report again to get a new one.' };
    return { ok: true, spec: { file: file as ReportFile, from: dashed(from), to: dashed(to) }, expiresAt: new Date(expires) };
  }

  private sign(body: string): string {
    return createHmac('sha256', this.secret).update(`v2.${body}`).digest('base64url');
  }
}

export interface ServedFile {
  body: Buffer;
  contentType: string;
  /** A download file name (CSV): served with Content-Disposition: attachment. */
  filename?: string;
}

const BASE_HEADERS = { 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };

/** The HTTP answer for a refused link. */
export function refusedResponse(opened: Extract<Opened, { ok: false }>): { status: number; headers: Record<string, string>; body: Buffer } {
  return { status: opened.status, headers: { ...BASE_HEADERS, 'cache-control': 'private, no-store', 'content-type': 'text/plain; charset=utf-8' }, body: Buffer.from(`${opened.message}\n`) };
}

/** The HTTP answer with the file: inline for a chart, a download for a CSV. */
export function fileResponse(file: ServedFile): { status: number; headers: Record<string, string>; body: Buffer } {
  return {
    status: 200,
    headers: {
      ...BASE_HEADERS,
      // A download is not kept in the browser's cache on a shared council computer; a chart, drawn
      // from live data, may be kept a few minutes, not for the link's whole life.
      'cache-control': file.filename ? 'private, no-store' : 'private, max-age=300',
      'content-type': file.contentType,
      'content-length': String(file.body.length),
      'content-disposition': file.filename ? `attachment; filename="${file.filename.replace(/["\\\r\n]/g, '_')}"` : 'inline',
    },
    body: file.body,
  };
}
