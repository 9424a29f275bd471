import type { Config } from '../src/config.js';
import type { Logger } from '../src/log.js';
import type { BrokerageStore } from '../src/store/collections.js';
import type { ReportLinks } from '../src/reports/links.js';

/** What every route needs; built once in index.ts (or a test) and passed down. */
export interface Deps {
  store: BrokerageStore;
  logger: Logger;
  config: Pick<Config, 'anonymous'>;
  now: () => Date;
  /** Nudges the outbox and scheduler after a change that may have queued posts or deadlines. */
  changed?: () => void;
  /** Signs links to report charts and CSVs (index.ts serves them at /files/:token). */
  links?: ReportLinks;
}
