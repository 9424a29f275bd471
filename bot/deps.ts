import type { Config } from '../src/config.js';
import type { Logger } from '../src/log.js';
import type { BrokerageStore } from '../src/store/collections.js';
import type { FileShelf } from '../src/reports/links.js';
import type { RefusalAudit } from './refusals.js';

/** What every route needs; built once in index.ts (or a test) and passed down. */
export interface Deps {
  store: BrokerageStore;
  logger: Logger;
  /** `councilTenants`: where council roles hold (bot/identity.ts); unset or empty, anywhere (local runs). */
  config: Pick<Config, 'anonymous'> & Partial<Pick<Config, 'councilTenants'>>;
  now: () => Date;
  /** Nudges the outbox and scheduler after a change that may have queued posts or deadlines. */
  changed?: () => void;
  /** Report charts and CSVs behind short-lived signed links (index.ts serves them at /files/:token). */
  files?: FileShelf;
  /** Audits refused actions, with a cap against floods; createBot makes one when none is given. */
  refusals?: RefusalAudit;
}
