import { DECLARATIONS } from '../../domain/admission.js';
import { csv } from '../requests/inputs.js';

/**
 * Card inputs → candidates for the admission use cases. Cards send every input as a string
 * (multi-selects "a,b", toggles "true"/"false").
 */
const str = (v: unknown) => (typeof v === 'string' ? v.trim() : v === undefined || v === null ? '' : String(v));

export const ORGANISATION_FIELDS = ['orgName', 'cqcNumber', 'address', 'contactName', 'contactEmail', 'contactPhone', 'lots', 'zones'] as const;

export const answerInput = (questionId: string) => `a_${questionId}`;
export const declarationInput = (id: string) => `d_${id}`;
export const markInput = (questionId: string) => `m_${questionId}`;
export const tierInput = (lot: string, zone: string) => `t_${lot}__${zone}`;

/** Only the inputs an application card may carry: nothing else from a card's data is kept. */
export function applicationInputs(raw: Record<string, unknown>, questionIds: string[]): Record<string, string> {
  const keys = [...ORGANISATION_FIELDS, ...questionIds.map(answerInput), ...DECLARATIONS.map((d) => declarationInput(d.id))];
  return Object.fromEntries(keys.filter((k) => raw[k] !== undefined).map((k) => [k, Array.isArray(raw[k]) ? (raw[k] as unknown[]).join(',') : str(raw[k])]));
}

export function organisationCandidate(inputs: Record<string, unknown>) {
  return {
    orgName: str(inputs.orgName),
    cqcNumber: str(inputs.cqcNumber),
    address: str(inputs.address),
    contactName: str(inputs.contactName),
    contactEmail: str(inputs.contactEmail),
    contactPhone: str(inputs.contactPhone),
    lots: csv(inputs.lots),
    zones: csv(inputs.zones),
  };
}

export const ticked = (v: unknown) => v === true || v === 'true';

/**
 * The value of a drop-down's "Not marked" / "Not ranked" choice. The Adaptive Cards SDK rejects a
 * choice whose value is empty ("All choices in an Input.ChoiceSet must have their title and value
 * properties set"), so the card carries this placeholder and it reads back as "nothing chosen".
 */
export const NOT_CHOSEN = 'none';
/** A drop-down's value as typed, with the placeholder read as nothing chosen. */
export const chosenString = (v: unknown) => {
  const s = str(v);
  return s.toLowerCase() === NOT_CHOSEN ? '' : s;
};
export { str as inputString };
