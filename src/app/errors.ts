import type { ZodError } from 'zod';

/** A use case's refusal, in words the user can act on. The bot turns it into a message or card. */
export class AppError extends Error {
  constructor(
    readonly kind: 'forbidden' | 'not_found' | 'conflict' | 'invalid',
    message: string,
    /** For `invalid`: a message per field id, shown next to that field. */
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const forbidden = (message: string) => new AppError('forbidden', message);
export const notFound = (message: string) => new AppError('not_found', message);
export const conflict = (message: string) => new AppError('conflict', message);

export function invalid(fields: Record<string, string>, message = 'Please correct the highlighted fields.'): AppError {
  return new AppError('invalid', message, fields);
}

/** One message per top-level field, the first zod gives for it. */
export function fieldErrors(error: ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const field = issue.path.length ? String(issue.path[0]) : '_form';
    out[field] ??= issue.message;
  }
  return out;
}

export function parseOrThrow<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: ZodError } }, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) throw invalid(fieldErrors(r.error));
  return r.data;
}
