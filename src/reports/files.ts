/**
 * GET /files/:token: checks the link, reads the data for the report's period and draws the file.
 * Teams (and its image proxy) may fetch one chart several times in a minute, so a drawn file is kept
 * for a short while; nothing outlives the process, and nothing is written to disk.
 */
import type { BrokerageStore } from '../store/collections.js';
import { fileResponse, refusedResponse, type ReportLinks, type ServedFile } from './links.js';
import { loadReportData, reportFile } from './report.js';
import { approvalsCsv, loadApprovalData } from './approvals.js';
import { isMarketFile, marketFile } from './marketFiles.js';
import { loadMarketData } from './marketData.js';

const KEEP_MS = 60_000;
const KEEP_AT_MOST = 32;

export class ReportFiles {
  private readonly recent = new Map<string, { file: ServedFile; at: number }>();

  constructor(
    private readonly store: BrokerageStore,
    readonly links: ReportLinks,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async respond(token: string): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
    const opened = this.links.open(token);
    if (!opened.ok) return refusedResponse(opened);
    const { spec } = opened;
    const key = `${spec.file}|${spec.from}|${spec.to}`;
    const now = this.now().getTime();
    const kept = this.recent.get(key);
    if (kept && now - kept.at < KEEP_MS) return fileResponse(kept.file);
    const file: ServedFile =
      spec.file === 'approvals'
        ? { body: Buffer.from(approvalsCsv(await loadApprovalData(this.store, spec, this.now())), 'utf8'), contentType: 'text/csv; charset=utf-8', filename: `approvals_${spec.from}_to_${spec.to}.csv` }
        : isMarketFile(spec.file)
          ? marketFile(await loadMarketData(this.store, spec, this.now()), { ...spec, file: spec.file })
          : reportFile(await loadReportData(this.store, spec), { ...spec, file: spec.file });
    this.recent.delete(key);
    this.recent.set(key, { file, at: now });
    for (const k of this.recent.keys()) {
      if (this.recent.size <= KEEP_AT_MOST) break;
      this.recent.delete(k); // oldest first: a Map keeps insertion order
    }
    return fileResponse(file);
  }
}
