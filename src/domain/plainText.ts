/**
 * Text one party typed, made safe to show another as plain text. Providers' words reach the
 * people who hold the person's data (a support plan in the blind evaluation card, a question, a
 * decline reason); Adaptive Card text and Teams messages render markdown, so a provider could
 * otherwise plant a live link ("[verify your account](https://…)"), an image, or text reordered
 * by a right-to-left override.
 */

/**
 * Control characters (except line breaks and tabs), bidi overrides, embeddings, isolates and
 * marks, and other invisible format characters: none belongs in typed text, and they can make
 * what is shown differ from what is stored.
 */
const CONTROLS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]|\p{Cf}/gu;

export function stripControls(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(CONTROLS, '');
}

/** A URL shown as text that no renderer will turn into a link: scheme dropped, dots bracketed. */
const defang = (url: string) => url.replace(/[a-z][a-z0-9+.-]*:\/+|^(?:mailto|tel|javascript|data):/gi, '').replace(/\./g, '[.]');

const URL_LIKE = /(?:https?|ftp|file|mailto|tel|javascript|data):\/*[^\s<>()]*|www\.[^\s<>()]*/gi;
/** Markdown inline syntax that changes what is shown, and line starts that make lists, quotes or headings. */
const INLINE = /([\\`*_~[\]<>|])/g;
const LINE_START = /^(\s*)([-+#>])(?=\s)/gm;
const NUMBERED = /^(\s*\d+)([.)])(?=\s)/gm;

/**
 * Plain text: controls removed; markdown links and images become their words and the address,
 * defanged ("verify your account (link removed: evil[.]example/login)"); bare addresses are
 * defanged; markdown's special characters are escaped, so nothing renders as emphasis, a list,
 * a link or an image.
 */
export function plainText(text: string): string {
  let s = stripControls(text);
  s = s.replace(/!?\[([^\]]*)\]\(\s*<?([^)\s>]*)>?(?:\s+["'][^"']*["'])?\s*\)/g, (_m, words: string, url: string) => `${words.trim() || 'link'} (link removed: ${defang(url)})`);
  s = s.replace(/<((?:https?|mailto):[^>\s]+)>/gi, (_m, url: string) => `${defang(url)} (link removed)`);
  s = s.replace(URL_LIKE, (url) => `${defang(url)} (link removed)`);
  return s.replace(INLINE, '\\$1').replace(LINE_START, '$1\\$2').replace(NUMBERED, '$1\\$2');
}
