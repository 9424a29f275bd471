import { clean } from './tokens.js';

/**
 * Identifiers of anyone, not only of the person: council text bound for providers has no reason
 * to carry an NHS number, a National Insurance number, a phone number, an e-mail address or a
 * full postcode, and each of them identifies someone. Each finding says what it is and shows it,
 * so the social worker can find it in what they typed.
 */

/** NHS numbers: ten digits (often 3 3 4) whose last is the modulus 11 check digit of the first nine. */
export function isNhsNumber(digits: string): boolean {
  if (!/^\d{10}$/.test(digits)) return false;
  const sum = [...digits.slice(0, 9)].reduce((s, c, i) => s + Number(c) * (10 - i), 0);
  const check = 11 - (sum % 11);
  if (check === 10) return false;
  return (check === 11 ? 0 : check) === Number(digits[9]);
}

// Prefixes HMRC never issues (BG, GB, NK, KN, TN, NT, ZZ) and letters it never uses (D, F, I, Q, U, V; O second).
const NI = /(?<![\p{L}\p{N}])([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z])[ -]?(\d{2})[ -]?(\d{2})[ -]?(\d{2})[ -]?([A-D])(?![\p{L}\p{N}])/giu;
const NI_NEVER = new Set(['BG', 'GB', 'NK', 'KN', 'TN', 'NT', 'ZZ']);
const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/u;
const POSTCODE = /(?<![\p{L}\p{N}])(GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?[ -]?\d[ABD-HJLNP-UW-Z]{2})(?![\p{L}\p{N}])/iu;
/** Digits with the separators phone numbers are written with (never "/" or ".", which dates and amounts use). */
const DIGIT_RUN = /(?<![\p{L}\p{N}])\+?\(?\d[\d \-()]{6,}\d(?![\p{L}\p{N}])/gu;

const NHS = /(?<![\p{L}\p{N}])\d{3}[ -]?\d{3}[ -]?\d{4}(?![\p{L}\p{N}])/gu;

export function findIdentifier(text: string): string | undefined {
  const s = clean(text);
  const email = EMAIL.exec(s);
  if (email) return `an e-mail address ("${email[0]}")`;
  for (const m of s.matchAll(NI)) {
    if (!NI_NEVER.has(m[1].toUpperCase())) return `a National Insurance number ("${m[0].trim()}")`;
  }
  for (const m of s.matchAll(NHS)) if (isNhsNumber(m[0].replace(/\D/g, ''))) return `an NHS number ("${m[0]}")`;
  for (const m of s.matchAll(DIGIT_RUN)) {
    const phone = phoneIn(m[0]);
    if (phone) return `a phone number ("${phone}")`;
  }
  const postcode = POSTCODE.exec(s);
  if (postcode) return `a postcode ("${postcode[0]}")`;
  return undefined;
}

/**
 * A phone number in a run of digits and separators: +country and 8–15 digits, 00 and an
 * international number, or a UK number of 10 or 11 digits starting 0. A run may hold two numbers
 * ("0161 496 0000 or 07700 900123" is two runs; "0161 496 0000, 07700 900123" is split at the comma).
 */
function phoneIn(run: string): string | undefined {
  for (const part of run.split(/,|\s{2,}|\s[-–]\s/)) {
    const digits = part.replace(/\D/g, '');
    const p = part.trim();
    if (p.startsWith('+') ? digits.length >= 8 && digits.length <= 15 : /^00\d{8,13}$|^0\d{9,10}$/.test(digits)) return p;
  }
  return undefined;
}
