import type { Config } from '../src/config.js';
import type { Logger } from '../src/log.js';
import type { BrokerageStore } from '../src/store/collections.js';
import type { FileShelf } from '../src/reports/shelf.js';
import type { RefusalAudit } from '../src/app/refusals.js';
import type { ReportLinks } from '../src/reports/links.js';
import type { OpsContext } from '../src/app/ops/status.js';

/** What every route needs; built once in index.ts (or a test) and passed down. */
export interface Deps {
  store: BrokerageStore;
  logger: Logger;
  /** `councilTenants`: where council roles hold (bot/identity.ts); unset or empty, anywhere (local runs). */
  config: Pick<Config, 'anonymous'> & Partial<Pick<Config, 'councilTenants'>>;
  now: () => Date;
  /** Nudges the outbox and scheduler after a change that may have queued posts or deadlines. */
  changed?: () => void;
  /** Personal documents (choice packs, payments exports) behind short-lived signed links (index.ts serves them at /files/:token). */
  files?: FileShelf;
  /** Audits every refusal (commands, clicks, searches, and those a use case decides), with a cap against floods. */
  refusals: RefusalAudit;
  /** Signs links to report charts and CSVs (index.ts serves them at /files/:token). */
  links?: ReportLinks;
  /** The store as the server opened it and this instance, for the operations view (`ops`). */
  ops?: OpsContext;
}
