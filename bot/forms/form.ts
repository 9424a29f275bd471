import { plainNumber } from '../../src/domain/numbers.js';
import { CardJson, render } from '../render.js';

export interface Choice {
  title: string;
  value: string;
}

export interface FieldSpec {
  id: string;
  label: string;
  /** "heading" starts a section; its id can carry an error for the section as a whole. */
  kind: 'text' | 'multiline' | 'number' | 'date' | 'time' | 'choice' | 'multichoice' | 'toggle' | 'heading';
  required?: boolean;
  placeholder?: string;
  help?: string;
  maxLength?: number;
  choices?: Choice[];
  /**
   * A long pick list searched on the server as the user types (Teams' dynamic type-ahead:
   * `choices.data` Data.Query, answered by an `application/search` invoke for this dataset). The
   * card then carries only the first choice (e.g. "None") and the current one, not the whole list.
   */
  dataset?: string;
}

export interface CardAction {
  title: string;
  verb: string;
  /** Ids only: the server loads everything else. */
  data?: Record<string, unknown>;
  style?: 'default' | 'positive' | 'destructive';
  /** "none" for actions that must not carry (or validate) the inputs, e.g. Cancel. */
  inputs?: 'auto' | 'none';
}

export interface FormView {
  title: string;
  intro?: string;
  notice?: string;
  formError?: string;
  fields: FieldSpec[];
  /** What the user typed (or the stored item): always shown back, so nothing is lost. */
  values: Record<string, unknown>;
  errors?: Record<string, string>;
  actions: CardAction[];
}

/** A card value as the input expects it: multi-selects are comma-joined, toggles "true"/"false". */
function inputValue(field: FieldSpec, raw: unknown): string | number {
  if (raw === undefined || raw === null) return '';
  if (Array.isArray(raw)) return raw.join(',');
  if (field.kind === 'toggle') return raw === true || raw === 'true' ? 'true' : 'false';
  if (field.kind === 'number') return Number.isFinite(plainNumber(raw)) ? plainNumber(raw) : String(raw); // Input.Number shows only a number; anything else stays as typed, next to its error
  return String(raw);
}

export function renderForm(view: FormView): CardJson {
  const errors = view.errors ?? {};
  const fieldIds = new Set(view.fields.map((f) => f.id));
  // An error for something that is not a field on this card still has to be seen.
  const orphan = Object.entries(errors)
    .filter(([k]) => !fieldIds.has(k))
    .map(([, v]) => v);
  return render('form', {
    title: view.title,
    intro: view.intro ?? '',
    notice: view.notice ?? '',
    formError: [view.formError, ...orphan].filter(Boolean).join(' '),
    fields: view.fields.map((f) => ({
      id: f.id,
      label: f.label,
      kind: f.kind,
      required: f.required ?? false,
      placeholder: f.placeholder ?? '',
      help: f.help ?? '',
      maxLength: f.maxLength ?? 4000,
      choices: f.dataset ? (f.choices ?? []).filter((c, i) => i === 0 || c.value === inputValue(f, view.values[f.id])) : (f.choices ?? []),
      dataset: f.dataset ?? '',
      value: inputValue(f, view.values[f.id]),
      error: errors[f.id] ?? '',
    })),
    actions: view.actions.map((a) => ({ title: a.title, verb: a.verb, data: a.data ?? {}, style: a.style ?? 'default', inputs: a.inputs ?? 'auto' })),
  });
}

/** Splits a multi-select's "a,b" back into a list. */
export function list(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value !== 'string') return [];
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Card inputs arrive as strings; an empty one means "not given". */
export function optional(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() === '' ? undefined : (value as string | undefined);
}
