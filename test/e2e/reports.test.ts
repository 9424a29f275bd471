/**
 * Reports end to end: the real bot behind the Agents Playground, with a known data set seeded into
 * its store (the award flow is tested elsewhere), each request saved several times as the app saves
 * it. Alex asks for this year's report in the 1:1 chat, sees the figures and the charts, and the
 * chart and CSV links open over HTTP from the bot itself. Every card, chart and CSV is the one the
 * whole data set gives, on either store (npm test runs this file on both): a store that loses a
 * request from its period index fails here.
 */
import assert from 'node:assert/strict';
import { cardActions, cardProblems, cardText, startHarness, walkCard, type Harness } from './harness.js';
import { dataset, seedAsSaved } from '../reports/dataset.js';
import { cardOf } from '../../src/reports/queries.js';
import { buildReport, equalityReport, providersReport, reportFile } from '../../src/reports/report.js';
import { ReportLinks, type ReportFile } from '../../src/reports/links.js';
import type { MarketFile } from '../../src/reports/marketFiles.js';
import { dates, parsePeriod } from '../../src/reports/period.js';
import { DEFAULT_SCHEME } from '../../src/domain/approvals.js';
import { equalityCard, headlineCard, providersCard } from '../../bot/views/reportCards.js';

const CSV_COLUMNS = 'reference,award_date,status,accepted_date,off_contract,provider_id,provider_name,zone,lots,weekly_price,personal_budget_weekly,difference_weekly,over_budget,days_to_award,bids,quality_score,total_score';

describe('e2e: reports as a card with charts and CSV links', function () {
  let h: Harness;
  // Noon on 31 March 2026, so "this year" is the data set's Q1.
  const clock = new Date('2026-03-31T12:00:00Z');
  // What the whole data set gives for "this year", straight from the report's pure functions.
  const thisYear = parsePeriod('this year', clock);
  // The buttons carry the dates, so their cards name the dates.
  const byDates = dates(thisYear.from, thisYear.to);
  const whole = dataset();
  const fileOf = (url: string) => new URL(url).pathname.split('/').pop()!.split('.')[0] as Exclude<ReportFile, MarketFile>;
  const expectedFile = (file: Exclude<ReportFile, MarketFile>) => reportFile(whole, { file, from: thisYear.from, to: thisYear.to }).body;

  before(async function () {
    this.timeout(60_000);
    h = await startHarness({ framework: 'demo/framework.yaml', now: () => clock });
    await seedAsSaved(h.server.store);
    await h.install(h.chats.personal);
    await h.nextReply(h.chats.personal);
  });

  after(async function () {
    this.timeout(20_000);
    await h?.stop();
  });

  let images: string[] = [];
  let csvs: { title: string; url: string }[] = [];

  it('Alex asks for this year’s report and gets the headline card', async () => {
    const reply = await h.ask(h.chats.personal, 'report this year', { match: /Brokerage report/ });
    assert.ok(reply.card);
    assert.deepEqual(cardProblems(reply.card), []);
    // The links first, so that the tests of the files below still run when a figure here is wrong.
    walkCard(reply.card, (n) => {
      if (n.type === 'Image') images.push(String(n.url));
      if (n.type === 'Action.OpenUrl' && ['Awards', 'Call-offs', 'Bids', 'Off-contract'].includes(String(n.title))) csvs.push({ title: String(n.title), url: String(n.url) });
    });
    const text = cardText(reply.card);
    assert.match(text, /Published: 6/);
    assert.match(text, /Awarded: 4/);
    assert.match(text, /median 24\.5 days, 90th percentile 38 days/);
    assert.match(text, /75% \(3 of 4\)/);
    assert.match(text, /£2,315\.00 a week/);
    const links = new ReportLinks({ ttlMs: 35 * 86_400_000, baseUrl: () => h.botUrl, now: () => clock });
    // The data set has no approvals: the scheme of delegation's section shows none (issue 23).
    const approvals = { approvals: [], scheme: DEFAULT_SCHEME, asOf: clock };
    assert.equal(text, cardText(headlineCard(buildReport(cardOf(whole), thisYear, links, approvals))), 'every figure on the card');
    assert.deepEqual(cardActions(reply.card).filter((a) => a.type === 'Action.Execute').map((a) => a.title), ['Providers', 'Equality monitoring', 'Market']);
    assert.equal(images.length, 2);
    assert.equal(csvs.length, 4);
    for (const u of [...images, ...csvs.map((c) => c.url)]) assert.equal(new URL(u).port, new URL(h.botUrl).port, 'served by the bot itself');
  });

  it('the chart links serve PNGs of 640×320', async () => {
    for (const url of images) {
      const r = await fetch(url);
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('content-type'), 'image/png');
      const png = Buffer.from(await r.arrayBuffer());
      assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
      assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [640, 320]);
      assert.ok(png.equals(expectedFile(fileOf(url))), `${fileOf(url)}: the chart of the whole data set`);
    }
  });

  it('the awards CSV link downloads the CSV with its documented columns', async () => {
    const r = await fetch(csvs.find((c) => c.title === 'Awards')!.url);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-disposition')!, /^attachment; filename="awards_2026-01-01_to_2026-03-31\.csv"$/);
    const text = Buffer.from(await r.arrayBuffer()).toString('utf8');
    assert.ok(text.startsWith(`\uFEFF${CSV_COLUMNS}\r\n`));
    assert.equal(text.trim().split('\r\n').length, 1 + 4, 'header and four awards');
  });

  it('every CSV holds every row of the whole data set: awards, call-offs, bids, off-contract', async () => {
    const rows: Record<string, number> = {};
    for (const { title, url } of csvs) {
      const body = Buffer.from(await (await fetch(url)).arrayBuffer());
      assert.equal(body.toString('utf8'), expectedFile(fileOf(url)).toString('utf8'), title);
      rows[title] = body.toString('utf8').trim().split('\r\n').length - 1;
    }
    // Call-offs and bids of the call-offs published this year (R1–R6); the 2025 call-off's award is in it.
    assert.deepEqual(rows, { Awards: 4, 'Call-offs': 6, Bids: 7, 'Off-contract': 1 });
  });

  it('a tampered link is refused', async () => {
    const u = new URL(images[0]);
    u.pathname = u.pathname.replace(/\.([0-9a-z]+)\./, (_m, exp: string) => `.${(parseInt(exp, 36) + 1).toString(36)}.`);
    assert.equal((await fetch(u)).status, 403);
  });

  it('the Providers button shows provider statistics', async () => {
    const reply = await h.ask(h.chats.personal, 'report this year', { match: /Brokerage report/ });
    const providers = await h.click(reply, 'Providers');
    assert.match(cardText(providers.card), /Caring Hands Ltd\nOffers received: 6/);
    assert.equal(cardText(providers.card), cardText(providersCard(byDates, providersReport(whole, byDates).providers)), 'every provider figure');
  });

  it('the Equality monitoring button shows the equality report', async () => {
    const reply = await h.ask(h.chats.personal, 'report this year', { match: /Brokerage report/ });
    const equality = await h.click(reply, 'Equality monitoring');
    assert.match(cardText(equality.card), /requested \(7 submitted in the period\) and awarded \(4 awards made in it\)/);
    assert.equal(cardText(equality.card), cardText(equalityCard(byDates, equalityReport(whole, byDates).equality)), 'every equality figure');
  });

  it('Tom, a provider user, is refused in his channel', async () => {
    const inChannel = await h.ask('channel-brightpath', 'report this year', { as: 'user-tom' });
    assert.match(inChannel.text, /not open to your role/);
    assert.ok(!inChannel.card);
  });

  it('logged no errors', () => {
    assert.deepEqual(h.botErrors(), []);
  });
});
