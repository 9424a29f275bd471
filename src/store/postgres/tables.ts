import type { Collections } from '../collections.js';

/**
 * The table that holds each collection (migrations/001_collections.sql). Typed as a complete
 * record so that a collection added to `Collections` without a table fails to compile.
 */
export const TABLES: Record<keyof Collections, string> = {
  lots: 'lots',
  zones: 'zones',
  providers: 'providers',
  users: 'users',
  criteria: 'criteria',
  settings: 'settings',
  installations: 'installations',
  receipts: 'receipts',
  requests: 'requests',
  counters: 'counters',
  bids: 'bids',
  outbox: 'outbox',
  jobs: 'jobs',
  admissionQuestions: 'admission_questions',
  applications: 'applications',
  windows: 'windows',
  admission: 'admission',
  agreements: 'agreements',
  contractRules: 'contract_rules',
  approvals: 'approvals',
  approvalSchemes: 'approval_schemes',
  absences: 'absences',
  fundingPartners: 'funding_partners',
  costModels: 'cost_models',
  capacity: 'capacity',
  marketRules: 'market_rules',
};

/** The table of a collection; table names are never taken from input, only from this map. */
export function tableOf(collection: string): string {
  const table = (TABLES as Record<string, string>)[collection];
  if (!table) throw new Error(`The PostgreSQL store has no table for the collection "${collection}": add it to TABLES and a migration.`);
  return table;
}
