/**
 * Bench data: a live framework (200 providers with channels and users, council staff), ten open
 * call-offs offered to 50 providers, one submitted request ready to broadcast to all 200 — made
 * through the real use cases — and then, for the history sizes, N past call-offs with their bids
 * and posts written straight into the store's files (in the store's own layout), because 100 000
 * transactions would take far longer than the bench may.
 */
import { appendFile, cp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import YAML from 'yaml';
import { importFramework } from '../src/app/framework/importFile.js';
import { publishCallOff } from '../src/app/calloffs/publish.js';
import { saveStep, startRequest, submitRequest } from '../src/app/requests/requests.js';
import { BidInput, bidId, type Bid } from '../src/domain/calloff.js';
import type { PackageRequest } from '../src/domain/request.js';
import type { OutboxItem } from '../src/outbox/outbox.js';
import { SCHEMA_VERSION, shardStem } from '../src/store/lowdb/engine.js';
import { SHARDS } from '../src/store/lowdb/shards.js';
import { openBrokerageLowdb } from '../src/store/lowdb/brokerageLowdb.js';

export const PROVIDERS = 200;
/** Providers 1..BIDDERS cover the live call-offs' lot and zone; all 200 cover the broadcast's. */
export const BIDDERS = 50;
/** Open call-offs: the latency runs bid on all of them (1 250 distinct bids), burst and crash on the first 10. */
export const LIVE_CALLOFFS = 25;

export const COUNCIL = {
  alex: { aadObjectId: 'a1e0f3b2-0001-4000-8000-000000000001', name: 'Alex Morgan' },
  sam: { aadObjectId: 'a1e0f3b2-0002-4000-8000-000000000002', name: 'Sam Patel' },
};
export const TENANT = 'bench-tenant';

const pad = (n: number, w = 3) => String(n).padStart(w, '0');
export const providerId = (i: number) => `prov-${pad(i)}`;
/** aadObjectId of provider i's user. */
export const providerUser = (i: number) => `b0000000-0000-4000-8000-${pad(i, 12)}`;
export const channelOf = (i: number) => `19:prov-${pad(i)}@thread.tacv2`;
export const personalChat = (aad: string) => `a:personal-${aad}`;

export interface Base {
  dir: string;
  live: string[];
  broadcastRef: string;
}

/** How big a council buildBase makes: the bench's by default; the rehearsals (scripts/rehearse) use smaller ones. */
export interface BaseSizes {
  providers: number;
  /** Providers 1..bidders cover the live call-offs' lot and zone. */
  bidders: number;
  live: number;
}

const isoDate = (d: Date) => d.toISOString().slice(0, 10);

const person = { name: 'Margaret Ellis', caseRef: 'LAS-400123', dateOfBirth: '1961-04-09', address: '12 Rowan Close, Bury', postcode: 'BL9 0EJ', gender: 'female', disabilityCategory: 'learning disability' };
const pkg = (lot: string, now: Date) => ({
  lots: lot,
  needsSummary: 'Lives alone with a learning disability and epilepsy; needs rescue medication given by trained staff.',
  outcomes: 'To keep her own home and go to the day centre three times a week.',
  hoursPerWeek: '21',
  visitPattern: '3 hours each morning',
  startDate: isoDate(new Date(now.getTime() + 30 * 86_400_000)),
  carerGender: 'female',
  languageNeeds: '',
  budgetWeekly: '650',
  mode: 'competition',
  costWeight: '40',
  qualityWeight: '60',
  q1Text: 'How will you support her to achieve her outcomes?',
  q1Weight: '60',
  q2Text: 'How will you keep a consistent, trained team?',
  q2Weight: '40',
  deadlineDate: isoDate(new Date(now.getTime() + 14 * 86_400_000)),
  deadlineTime: '17:00',
});

/** The card data of a valid bid; `price` makes each one distinguishable. */
export function bidData(ref: string, startDate: string, price: number): Record<string, unknown> {
  const hours = 21;
  return {
    ref,
    weeklyPrice: (price * hours).toFixed(2),
    hourlyRate: price.toFixed(2),
    hoursPerWeek: String(hours),
    earliestStart: startDate,
    supportPlan: 'A team of four trained in epilepsy rescue medication, with a named lead and weekly reviews.',
    a_q1: 'Person-centred plan built with her and her sister; day-centre escorts.',
    a_q2: 'Guaranteed hours contracts; 3 named staff; cover from the same small team.',
    meetsCarerGender: 'yes',
    meetsLanguage: 'yes',
  };
}

/** Builds the live framework and call-offs in `dir` through the real use cases. */
export async function buildBase(dir: string, connectorUrl: string, sizes: BaseSizes = { providers: PROVIDERS, bidders: BIDDERS, live: LIVE_CALLOFFS }): Promise<Base> {
  const now = new Date();
  const { providers: PROVIDERS, bidders: BIDDERS, live: LIVE_CALLOFFS } = sizes;
  const demo = YAML.parse(await readFile('demo/framework.yaml', 'utf8')) as Record<string, unknown[]> & { settings: unknown };
  const providers = Array.from({ length: PROVIDERS }, (_, k) => {
    const i = k + 1;
    return {
      id: providerId(i),
      name: `Provider ${pad(i)} Care Ltd`,
      cqcNumber: `1-${String(100000000 + i)}`,
      status: 'admitted',
      lots: i <= BIDDERS ? ['learning-disability', 'autism'] : ['learning-disability'],
      zones: i <= BIDDERS ? ['bury-east', 'radcliffe'] : ['bury-east'],
    };
  });
  const users = [
    ...(demo.users as { roles: string[] }[]).filter((u) => !u.roles.includes('provider')),
    ...Array.from({ length: PROVIDERS }, (_, k) => ({ id: providerUser(k + 1), name: `Staff ${pad(k + 1)}`, roles: ['provider'], providerId: providerId(k + 1) })),
  ];
  const store = await openBrokerageLowdb(dir, { now: () => now });
  // History added later is written straight to files; the store marked its indexes built when it opened, so the bot does not rebuild them.
  try {
    await importFramework(store, 'bench', { settings: demo.settings, lots: demo.lots, zones: demo.zones, criteria: demo.criteria, providers, users });
    await store.transact({ actor: 'bench', action: 'bench.channels' }, async (tx) => {
      for (let i = 1; i <= PROVIDERS; i++) {
        const p = (await tx.get('providers', providerId(i)))!;
        const reference = { serviceUrl: connectorUrl, channelId: 'msteams', conversation: { id: channelOf(i), conversationType: 'channel', isGroup: true, tenantId: TENANT }, bot: { id: '28:bot', name: 'Brokerage Bot' } };
        tx.put('providers', { ...p, channel: { conversationId: channelOf(i), teamId: 'team-1', tenantId: TENANT, serviceUrl: connectorUrl, reference, registeredBy: COUNCIL.alex.aadObjectId, registeredAt: now.toISOString() } });
      }
      for (const who of Object.values(COUNCIL)) {
        const id = personalChat(who.aadObjectId);
        const reference = { serviceUrl: connectorUrl, channelId: 'msteams', conversation: { id, conversationType: 'personal', tenantId: TENANT }, user: { id: `29:${who.aadObjectId}`, aadObjectId: who.aadObjectId }, bot: { id: '28:bot', name: 'Brokerage Bot' } };
        tx.put('installations', { id, kind: 'personal', tenantId: TENANT, serviceUrl: connectorUrl, reference, installedAt: now.toISOString(), userId: who.aadObjectId });
      }
    });
    const sam = { aadObjectId: COUNCIL.sam.aadObjectId };
    const alex = { aadObjectId: COUNCIL.alex.aadObjectId };
    const raise = async (lot: string, zone: string) => {
      const r = await startRequest(store, sam, now);
      for (const [step, raw] of [
        ['person', { ...person, zone }],
        ['checklist', { 'c_specialist-skill': 'true' }],
        ['package', pkg(lot, now)],
      ] as const) {
        const saved = await saveStep(store, sam, r.id, step, raw, now);
        if (!saved.ok) throw new Error(`bench request ${step}: ${JSON.stringify(saved.errors)}`);
      }
      await submitRequest(store, sam, r.id, now);
      return r.id;
    };
    const live: string[] = [];
    for (let c = 0; c < LIVE_CALLOFFS; c++) {
      const ref = await raise('autism', 'radcliffe');
      const published = await publishCallOff(store, alex, ref, now);
      if (published.offered.length !== BIDDERS) throw new Error(`live call-off offered to ${published.offered.length}, expected ${BIDDERS}`);
      live.push(ref);
    }
    // The live cards are already in the channels: their posts are sent, with activity ids to update.
    await store.transact({ actor: 'bench', action: 'bench.posted' }, async (tx) => {
      for (const item of await tx.pendingPosts()) {
        tx.put('outbox', { ...item, status: 'sent', attempts: 1, sentAt: now.toISOString(), activityId: `act-${item.id}` });
      }
    });
    const broadcastRef = await raise('learning-disability', 'bury-east');
    // Publishing a submitted request also tells brokers it was submitted; that is not the bench's business.
    await store.transact({ actor: 'bench', action: 'bench.quiet' }, async (tx) => {
      for (const item of await tx.pendingPosts()) tx.delete('outbox', item.id);
    });
    return { dir, live, broadcastRef };
  } finally {
    await store.close();
  }
}

export async function copyStore(from: string, to: string): Promise<void> {
  await cp(from, to, { recursive: true });
}

const SUPPORT_PLANS = [
  'A team of four trained in epilepsy rescue medication, with a named lead and weekly reviews.',
  'Two regular carers on a rota agreed with the family; positive behaviour support plan reviewed monthly.',
  'Named keyworker, PEG feeding trained staff, and a registered nurse visiting fortnightly to check the plan.',
  'Small consistent team recruited locally, BSL level 2, with supervision every four weeks and spot checks.',
];
const ANSWERS = [
  'Person-centred plan built with her family; day-centre escorts and travel training.',
  'Guaranteed hours contracts; 3 named staff; cover from the same small team.',
  'Outcomes reviewed at 6 weeks with the social worker; goals set with her in easy read.',
  'Induction shadowing for two weeks; no agency staff; a named manager on call.',
];

const pick = <T>(xs: T[], rnd: () => number) => xs[Math.floor(rnd() * xs.length)];

/** A small deterministic PRNG, so every run generates the same history. */
function mulberry32(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Adds `count` awarded call-offs spread over the ten years before this one, each offered to 8
 * providers with 3–6 bids (some amended), their channel posts, card refreshes and publish report,
 * and an audit line each — written as the store would have written them, one file per call-off.
 */
export async function addHistory(dir: string, count: number): Promise<{ files: number; bytes: number }> {
  if (!count) return { files: 0, bytes: 0 };
  const rnd = mulberry32(count);
  // A live request, made by the real use cases, is the shape of a past one.
  const liveFile = (await readdir(join(dir, 'requests'))).find((f) => f.startsWith('PKG-'))!;
  const liveData = JSON.parse(await readFile(join(dir, 'requests', liveFile), 'utf8')) as { items: Record<string, PackageRequest> };
  const base = Object.values(liveData.items)[0];
  const thisYear = new Date().getUTCFullYear();
  const perYear = Math.ceil(count / 10);
  const providerIds = Array.from({ length: PROVIDERS }, (_, k) => providerId(k + 1));
  const zones = ['ramsbottom', 'tottington', 'bury-east', 'radcliffe', 'whitefield', 'prestwich'];
  const lots = ['learning-disability', 'autism', 'mental-health', 'acquired-brain-injury', 'complex-physical', 'dementia', 'behaviours-that-challenge', 'deaf-services'];
  const counters: Record<string, number> = {};
  const auditLines: string[] = [];
  let files = 0;
  let bytes = 0;
  const writes: Promise<void>[] = [];
  const flush = async () => {
    await Promise.all(writes.splice(0));
  };
  const write = (collection: string, stem: string, items: Record<string, unknown>) => {
    const text = JSON.stringify({ schemaVersion: SCHEMA_VERSION, items }, null, 2);
    files++;
    bytes += text.length;
    writes.push(writeFile(join(dir, collection, `${stem}.json`), text));
  };
  for (const c of ['requests', 'bids', 'outbox']) await mkdir(join(dir, c), { recursive: true });

  for (let n = 0; n < count; n++) {
    const year = thisYear - 10 + Math.floor(n / perYear);
    const seq = (n % perYear) + 1;
    counters[`PKG-${year}`] = seq;
    const ref = `PKG-${year}-${String(seq).padStart(4, '0')}`;
    const dayMs = Date.UTC(year, 0, 1) + Math.floor((seq / perYear) * 360) * 86_400_000;
    const at = (days: number) => new Date(dayMs + days * 86_400_000).toISOString();
    const offered = new Set<string>();
    while (offered.size < 8) offered.add(pick(providerIds, rnd));
    const offers = [...offered].map((providerId) => ({ providerId, offeredAt: at(2), postId: `post:${ref}:${providerId}` }));
    const lot = pick(lots, rnd);
    const r: PackageRequest = {
      ...base,
      id: ref,
      state: 'awarded',
      createdAt: at(0),
      updatedAt: at(30),
      submittedAt: at(1),
      person: { ...base.person!, zone: pick(zones, rnd), caseRef: `LAS-${100000 + n}` },
      package: { ...base.package!, lots: [lot], hoursPerWeek: 7 + Math.floor(rnd() * 40), startDate: at(40).slice(0, 10), deadline: at(16), deadlineDate: at(16).slice(0, 10) },
      calloff: { publishedAt: at(2), publishedBy: COUNCIL.alex.aadObjectId, deadline: at(16), extensions: [], offers, clarifications: [], rounds: [], remindersSent: ['24h', '2h'], closedAt: at(16) },
    };
    const bidders = offers.slice(0, 3 + Math.floor(rnd() * 4)).map((o) => o.providerId);
    const bids: Record<string, Bid> = {};
    const outbox: Record<string, OutboxItem> = {};
    const sent = (id: string, target: OutboxItem['target'], message: OutboxItem['message'], when: string, extra: Partial<OutboxItem> = {}): OutboxItem => ({ id, target, message, status: 'sent', attempts: 1, dueAt: when, createdAt: when, sentAt: when, activityId: `act-${id}`, ...extra });
    for (const o of offers) outbox[o.postId] = sent(o.postId, { providerId: o.providerId }, { kind: 'calloff.card', ref }, at(2), { batch: { id: `publish:${ref}`, notify: COUNCIL.alex.aadObjectId } });
    for (const providerId of bidders) {
      const versions = 1 + (rnd() < 0.25 ? 1 : 0);
      const b: Bid = { id: bidId(ref, providerId), ref, providerId, status: 'active', versions: [], submittedAt: at(10) };
      for (let v = 1; v <= versions; v++) {
        // The shape BidInput.parse gives a valid bid (checked once below), without parsing 500 000 of them.
        const rate = 22 + Math.round(rnd() * 800) / 100;
        const input: BidInput = { weeklyPrice: Math.round(rate * 21 * 100) / 100, hourlyRate: rate, hoursPerWeek: 21, earliestStart: r.package!.startDate, supportPlan: `${SUPPORT_PLANS[n % SUPPORT_PLANS.length]} (ref ${n}-${v})`, answers: { q1: ANSWERS[(n + v) % ANSWERS.length], q2: ANSWERS[(n + 1) % ANSWERS.length] }, meetsCarerGender: 'yes', meetsLanguage: 'yes', priceNote: '' };
        if (n === 0) BidInput.parse(input);
        b.versions.push({ ...input, version: v, at: at(8 + v), by: providerUser(providerIds.indexOf(providerId) + 1) });
        const refreshId = `post:${ref}:${providerId}:refresh:bid-v${v}`;
        outbox[refreshId] = sent(refreshId, { providerId }, { kind: 'calloff.card', ref }, at(8 + v), { updates: `post:${ref}:${providerId}` });
      }
      bids[b.id] = b;
    }
    const reportId = `report:publish:${ref}`;
    outbox[reportId] = sent(reportId, { userId: COUNCIL.alex.aadObjectId }, { kind: 'publish.report', text: `Call-off ${ref}: posted to 8 of 8 provider channels.` }, at(2));
    write('requests', shardStem(SHARDS.requests, ref), { [ref]: r });
    write('bids', shardStem(SHARDS.bids, ref), bids);
    write('outbox', shardStem(SHARDS.outbox, ref), outbox);
    auditLines.push(JSON.stringify({ seq: 0, at: at(30), actor: COUNCIL.alex.aadObjectId, action: 'history.awarded', collection: 'requests', id: ref, before: null, after: { state: 'awarded' } }));
    if (writes.length >= 96) await flush();
  }
  await flush();

  // Counters, so new requests never reuse a past reference; the audit continues its seq.
  const countersDir = join(dir, 'counters');
  await mkdir(countersDir, { recursive: true });
  const counterFile = join(countersDir, `${shardStem(SHARDS.counters, 'PKG-2000')}.json`);
  const existing = JSON.parse(await readFile(counterFile, 'utf8').catch(() => '{"items":{}}')) as { items: Record<string, { id: string; value: number }> };
  for (const [id, value] of Object.entries(counters)) existing.items[id] = { id, value: Math.max(value, existing.items[id]?.value ?? 0) };
  await writeFile(counterFile, JSON.stringify({ schemaVersion: SCHEMA_VERSION, items: existing.items }, null, 2));
  const auditPath = join(dir, 'audit.jsonl');
  const lastSeq = (await readFile(auditPath, 'utf8').catch(() => '')).trimEnd().split('\n').filter(Boolean).length;
  const lines = auditLines.map((l, i) => l.replace('"seq":0', `"seq":${lastSeq + i + 1}`));
  for (let i = 0; i < lines.length; i += 20_000) await appendFile(auditPath, lines.slice(i, i + 20_000).join('\n') + '\n');
  return { files, bytes };
}
