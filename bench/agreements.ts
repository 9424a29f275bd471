/**
 * Service agreements at a county's scale (adam's county runs about 1,900 placements): 2 000 active
 * agreements, each a year old with a return for every week, made through the store (so its indexes
 * and audit are as the bot would have them), on either store. Then, with the bot running:
 * - `payments <last month>` from a commissioner (the card, and every CSV the turn puts on the
 *   shelf) and the all-rows and totals CSVs opened from its links;
 * - `contracts report <last month>`;
 * - a morning's return reminders and chases: a period job due for half the agreements and a chase
 *   for the other half, run when the bot starts, while echoes and bids are paired as in the latency
 *   run. The posts must keep Teams' limits (the mock connector answers 429 beyond them) and the
 *   bids must not wait behind them.
 */
import { get as httpGet } from 'node:http';
import { addDays } from '../src/domain/agreementRules.js';
import { DEFAULT_RULES, CONTRACT_RULES_ID, agreementId, type Agreement, type DeliveredReturn } from '../src/domain/agreement.js';
import type { PackageRequest } from '../src/domain/request.js';
import type { BrokerageStore } from '../src/store/collections.js';
import { chaseJobId, periodJobId } from '../src/app/agreements/schedule.js';
import { bidData, COUNCIL, PROVIDERS, personalChat, providerId, type Base } from './generate.js';
import { invoke, message, percentile, post, settle, startBot, stopBot } from './bot.js';
import type { MockConnector } from './mockConnector.js';
import { accepted, pairs, round, startDate } from './turns.js';

export const AGREEMENTS = 2000;
const WEEKS = 52;
const dayOf = (d: Date) => d.toISOString().slice(0, 10);

/**
 * 2 000 active weekly agreements on past call-offs `PKG-<last year>-9xxxx`, started 53 weeks ago,
 * with their requests (the payments export reads each one's case reference) and one return for
 * each of the 52 weeks before the last. Their jobs are due tomorrow morning; `dueNow` moves them.
 */
export async function addAgreements(store: BrokerageStore, now: Date, count = AGREEMENTS): Promise<{ refs: string[] }> {
  const year = now.getUTCFullYear() - 1;
  const start = addDays(dayOf(now), -7 * (WEEKS + 1));
  const template = (await store.transact({ actor: 'bench', action: 'bench.read' }, async (tx) => tx.openCallOffs()))[0];
  const refs: string[] = [];
  await store.transact({ actor: 'bench', action: 'bench.rules' }, async (tx) => tx.put('contractRules', { ...DEFAULT_RULES, id: CONTRACT_RULES_ID, period: 'weekly' }));
  for (let from = 0; from < count; from += 100) {
    await store.transact({ actor: 'bench', action: 'bench.agreements' }, async (tx) => {
      for (let i = from; i < Math.min(count, from + 100); i++) {
        const ref = `PKG-${year}-${90000 + i}`;
        refs.push(ref);
        const p = (i % PROVIDERS) + 1;
        const hours = 7 + (i % 30);
        const rate = 22 + (i % 9);
        const at = new Date(`${start}T10:00:00Z`).toISOString();
        const request: PackageRequest = { ...template, id: ref, state: 'awarded', person: { ...template.person!, caseRef: `LAS-${700000 + i}` } } as PackageRequest;
        tx.put('requests', request);
        const returns: DeliveredReturn[] = Array.from({ length: WEEKS }, (_, w) => ({ periodStart: addDays(start, 7 * w), hours: hours - (w % 3), source: 'card', by: `b0000000-0000-4000-8000-${String(p).padStart(12, '0')}`, at: `${addDays(start, 7 * w + 8)}T09:30:00.000Z`, corrections: [] }));
        const a: Agreement = {
          id: agreementId(ref),
          ref,
          providerId: providerId(p),
          providerName: `Provider ${String(p).padStart(3, '0')} Care Ltd`,
          offContract: false,
          status: 'active',
          lots: ['learning-disability'],
          zone: 'bury-east',
          budgetWeekly: Math.round(hours * 27.5),
          moneyRules: { period: 'weekly', tolerancePct: DEFAULT_RULES.tolerancePct, bankMaxHours: DEFAULT_RULES.bankMaxHours, bankMaxWeeks: DEFAULT_RULES.bankMaxWeeks, retainerPct: DEFAULT_RULES.retainerPct, retainerWeeks: DEFAULT_RULES.retainerWeeks },
          owner: COUNCIL.sam.aadObjectId,
          proposedStart: start,
          versions: [
            {
              version: 1,
              change: 'created',
              effectiveFrom: start,
              elements: [{ name: 'Support', hoursPerWeek: hours, hourlyRate: rate }],
              hoursPerWeek: hours,
              weeklyCost: hours * rate,
              startDate: start,
              reviewDate: addDays(start, 7 * 60),
              financeCodes: { costCentre: `CC-${100 + (i % 40)}`, providerFinanceId: `FIN-${p}` },
              summary: 'Created from the award',
              by: COUNCIL.alex.aadObjectId,
              at,
            },
          ],
          returns,
          suspensions: [],
          variations: [],
          reviews: [],
          createdAt: at,
          updatedAt: at,
        };
        tx.put('agreements', a);
        // The morning after the last week ends asks for its return; every other agreement is also chased for the week before.
        const lastWeek = addDays(start, 7 * WEEKS);
        tx.put('jobs', { id: periodJobId(ref), kind: 'agreement.period', ref, at: tomorrow(now), periodStart: lastWeek });
        if (i % 2) {
          tx.put('agreements', { ...a, returns: returns.slice(0, -1) });
          tx.put('jobs', { id: chaseJobId(ref, returns.at(-1)!.periodStart), kind: 'agreement.chase', ref, at: tomorrow(now), periodStart: returns.at(-1)!.periodStart, stage: 'remind' });
        }
      }
    });
  }
  return { refs };
}

const tomorrow = (now: Date) => new Date(now.getTime() + 86_400_000).toISOString();

/** The morning comes: every agreement job falls due now. */
export async function dueNow(store: BrokerageStore, refs: string[], now: Date): Promise<number> {
  let moved = 0;
  for (let from = 0; from < refs.length; from += 200) {
    await store.transact({ actor: 'bench', action: 'bench.morning' }, async (tx) => {
      for (const job of await tx.jobs()) {
        if (!job.id.startsWith('agr-') || !refs.slice(from, from + 200).includes(job.ref)) continue;
        tx.put('jobs', { ...job, at: new Date(now.getTime() - 60_000).toISOString() });
        moved++;
      }
    });
  }
  return moved;
}

function download(url: string): Promise<{ status: number; bytes: number; ms: number }> {
  const t = performance.now();
  return new Promise((resolve, reject) => {
    httpGet(url, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, ms: performance.now() - t }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

/** Last month, as the commands take it ("2026-11-01 to 2026-11-30"). */
function lastMonth(now: Date): string {
  const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  const last = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 0));
  return `${dayOf(first)} to ${dayOf(last)}`;
}

/** The payments export and the contracts report, each asked for three times (the first is cold), on a bot already running. */
export async function agreementReports(botUrl: string, mock: MockConnector, now: Date, log: (m: string) => void) {
  const period = lastMonth(now);
  const chat = personalChat(COUNCIL.alex.aadObjectId);
  const turn = async (text: string) => {
    const before = mock.posts.length;
    const r = await post(botUrl, message(mock.url, COUNCIL.alex.aadObjectId, text), 120_000);
    const replies = mock.posts.slice(before).filter((p) => p.conversationId === chat);
    const card = replies.filter((p) => p.text.includes('application/vnd.microsoft.card.adaptive')).at(-1)?.text ?? '';
    if (!card) log(`  ${text}: no card; the reply was ${(JSON.parse(replies.at(-1)?.text ?? '{}') as { text?: string }).text?.slice(0, 200)}`);
    return { ms: r.ms, status: r.status, card };
  };
  const payments: number[] = [];
  const contracts: number[] = [];
  let card = '';
  for (let i = 0; i < 3; i++) {
    const p = await turn(`payments ${period}`);
    payments.push(p.ms);
    card = p.card;
    contracts.push((await turn(`contracts report ${period}`)).ms);
  }
  // Shelf links have three parts (src/reports/shelf.ts): the all-rows and totals files are the last two the card lists.
  const links = [...new Set([...card.matchAll(/\/files\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)/g)].map((m) => m[1]))];
  // The card's last links are all rows, the totals and (past the providers it names) the provider files index.
  const files = await Promise.all(links.slice(-3).map((token) => download(`${botUrl}/files/${token}`)));
  const result = {
    period,
    payments_turn_ms: payments.map(Math.round),
    payments_csv_files: links.length,
    payments_downloads: files.map((f) => ({ status: f.status, bytes: f.bytes, ms: Math.round(f.ms) })),
    contracts_turn_ms: contracts.map(Math.round),
  };
  log(`  payments ${period}: turns ${result.payments_turn_ms.join(', ')} ms (${links.length} CSV files made in the turn; its last three files opened in ${result.payments_downloads.map((d) => `${d.ms} ms`).join(', ')}); contracts report: ${result.contracts_turn_ms.join(', ')} ms`);
  return result;
}

/**
 * The morning: the bot starts with every agreement job due, and echoes and bids are paired (as in
 * the latency run) until the last reminder or chase is posted. Counts the posts, the seconds to the
 * last, the 429s the connector gave for going over Teams' limits, and the bids' latency meanwhile.
 */
export async function morning(dir: string, env: Record<string, string>, base: Base, mock: MockConnector, expected: number, log: (m: string) => void) {
  mock.reset();
  const bot = await startBot(dir, env, undefined, 'morning');
  const bids: number[] = [];
  const echoes: number[] = [];
  let refused = 0;
  const t0 = Date.now();
  const posted = () => mock.posts.filter((p) => p.conversationId.startsWith('19:prov-') && p.at >= t0).length;
  try {
    const start = await startDate(base.dir, base.live[0]);
    const work = pairs(base);
    const deadline = Date.now() + 600_000;
    for (let k = 0; k < work.length && posted() < expected && Date.now() < deadline; k++) {
      const { ref, provider } = work[k];
      echoes.push((await post(bot.url, invoke(mock.url, provider, 'bench.echo', { ref }))).ms);
      await new Promise((r) => setTimeout(r, 10));
      const bid = await post(bot.url, invoke(mock.url, provider, 'bid.submit', bidData(ref, start, 22 + k / 100)));
      if (!accepted(bid)) refused++;
      bids.push(bid.ms);
      await new Promise((r) => setTimeout(r, 10));
    }
    while (posted() < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await settle(bot.child.pid!, 500);
  } finally {
    await stopBot(bot);
  }
  const ours = mock.posts.filter((p) => p.conversationId.startsWith('19:prov-') && p.at >= t0);
  const last = ours.length ? Math.max(...ours.map((p) => p.at)) : t0;
  const result = {
    posts: ours.length,
    expected,
    seconds_to_last: round((last - t0) / 1000, 1),
    // At Teams' 50 requests a second (the outbox keeps 48): the least any sender could take.
    minimum_seconds: round(expected / 50, 1),
    throttled_429: mock.counts.throttled,
    bids: bids.length,
    bid_p50_ms: round(percentile(bids, 50)),
    bid_p99_ms: round(percentile(bids, 99)),
    echo_p99_ms: round(percentile(echoes, 99)),
    refused,
  };
  log(`  morning: ${result.posts}/${expected} reminders and chases posted in ${result.seconds_to_last} s (at least ${result.minimum_seconds} s at Teams' limit), 429s ${result.throttled_429}; ${result.bids} bids meanwhile, p50 ${result.bid_p50_ms} ms, p99 ${result.bid_p99_ms} ms`);
  return result;
}

/**
 * The whole agreements run on a data folder or database the bot will use (`open` opens its store):
 * the agreements made, the reports asked for on a running bot, then the morning.
 */
export async function runAgreements(open: () => Promise<BrokerageStore>, dir: string, env: Record<string, string>, base: Base, mock: MockConnector, log: (m: string) => void) {
  const now = new Date();
  const t = performance.now();
  let store = await open();
  const { refs } = await addAgreements(store, now).finally(() => store.close());
  log(`agreements: ${refs.length} active, each with ${WEEKS} weekly returns, made in ${round((performance.now() - t) / 1000)} s`);
  const bot = await startBot(dir, env);
  let reports;
  try {
    await settle(bot.child.pid!);
    reports = await agreementReports(bot.url, mock, now, log);
  } finally {
    await stopBot(bot);
  }
  store = await open();
  const due = await dueNow(store, refs, new Date()).finally(() => store.close());
  return { count: refs.length, reports, morning: await morning(dir, env, base, mock, due, log) };
}
