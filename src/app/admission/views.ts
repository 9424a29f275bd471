import { AdmissionQuestion, Application, EvaluationWindow, orderQuestions } from '../../domain/admission.js';
import { listOf } from '../../store/reading.js';
import type { Lot, Provider, User, Zone } from '../../domain/framework.js';
import type { BrokerageStore } from '../../store/collections.js';
import type { Who } from '../actor.js';
import { frameworkSummary } from '../framework/summary.js';
import { ADMISSION_ID } from './applications.js';
import { mayEvaluate } from './evaluate.js';
import { admissionStatus, type AdmissionStatus } from './windows.js';

/**
 * Admission's read side: what the applicant's and the council's cards show, read once here so
 * bot/routes/admission.ts only draws it.
 */

/** The names an application card needs: lots, zones and the admission questions in their order. */
export interface AdmissionLookups {
  lots: Lot[];
  zones: Zone[];
  questions: AdmissionQuestion[];
}

export async function admissionLookups(store: BrokerageStore): Promise<AdmissionLookups> {
  const [lots, zones, questions] = await Promise.all([listOf(store, 'lots'), listOf(store, 'zones'), listOf(store, 'admissionQuestions')]);
  return { lots, zones, questions: orderQuestions(questions) };
}

const openWindowOf = async (store: BrokerageStore): Promise<EvaluationWindow | undefined> => ((await listOf(store, 'windows')).filter((w) => !w.closedAt))[0];

/** The applicant's view: the form while a draft (and why it cannot be submitted while paused), read-only after. */
export interface ApplicantView {
  application: Application;
  lookups: AdmissionLookups;
  /** A draft only: why new applications are paused, when they are. */
  pausedReason?: string;
  /** Submitted or decided only: the open evaluation window. */
  window?: EvaluationWindow;
}

export async function applicantView(store: BrokerageStore, a: Application): Promise<ApplicantView> {
  const lookups = await admissionLookups(store);
  if (a.state === 'draft') return { application: a, lookups, pausedReason: (await store.get('admission', ADMISSION_ID))?.paused?.reason };
  return { application: a, lookups, window: await openWindowOf(store) };
}

/** The council's view of an application: with why this person may not mark it now, and the framework gaps it would fill. */
export interface CouncilApplicationView {
  application: Application;
  lookups: AdmissionLookups;
  window?: EvaluationWindow;
  /** Asked to evaluate: why this person may not evaluate it now (undefined when they may). */
  refusal?: string;
  /** "Lot in Zone" for every lot × zone it applies for that no admitted provider covers. */
  gapsFilled: string[];
}

export async function councilApplicationView(store: BrokerageStore, who: Who, a: Application, evaluate: boolean): Promise<CouncilApplicationView> {
  const lookups = await admissionLookups(store);
  const refusal = evaluate ? await mayEvaluate(store, who, a.id) : undefined;
  const s = await frameworkSummary(store);
  const d = a.details;
  const gapsFilled = d ? s.gaps.filter((g) => d.lots.includes(g.lot.id) && d.zones.includes(g.zone.id)).map((g) => `${g.lot.name} in ${g.zone.name}`) : [];
  return { application: a, lookups, window: await openWindowOf(store), refusal: refusal?.message, gapsFilled };
}

/** The commissioner's admission home: windows, pause, applications by state, and the users named as evaluators. */
export interface AdmissionHomeView {
  status: AdmissionStatus;
  users: User[];
}

export async function admissionHomeView(store: BrokerageStore): Promise<AdmissionHomeView> {
  return { status: await admissionStatus(store), users: (await listOf(store, 'users')) };
}

/** The provider whose standing is being changed; undefined when there is none by that id. */
export async function providerStanding(store: BrokerageStore, providerId: string): Promise<Provider | undefined> {
  return store.get('providers', providerId);
}
