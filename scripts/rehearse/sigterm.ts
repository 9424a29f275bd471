/**
 * Rehearsal: SIGTERM under load (issue 27, part 4). Two instances of the production build share
 * one PostgreSQL database behind a load balancer; providers bid all the while; a publish to every
 * provider channel runs with the connector answering each card 600 ms late, so instance A holds
 * posts (claims) mid-send. A gets SIGTERM with bids in flight to it. It must answer every turn it
 * took, finish the sends under way, give back its claims at once (the lease is the production
 * 60 s), and exit 0; B must finish the broadcast straight away: every channel once, one report.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { startApp, type AppProcess } from './app.js';
import { broadcastChecks, cardsPerChannel, councilIn, failures, LINK_SECRET, publish, query, reports, sleep, until } from './council.js';
import { BidLoad, bidProblems, LoadBalancer, type BidCheck } from './load.js';

export interface SigtermFigures {
  channels: number;
  /** Posts A held (claimed, being sent) when it got SIGTERM. */
  claimsHeldAtSigterm: number;
  /** From SIGTERM to the process's exit, and its exit code. */
  exitMs: number;
  exitCode: number | string;
  /** A's claims still running after it exited: must be 0. */
  claimsLeftAfterExit: number;
  /** Bids sent to A just before SIGTERM: answered by A, sent on to B by the balancer, answer lost. */
  inFlightToA: { answeredByA: number; reroutedToB: number; lost: number };
  /** Cards B posted after A exited, and how long after A's exit the last one went. */
  cardsAfterExit: number;
  lastCardAfterExitMs: number;
  /** Each channel's count of the card: all must be 1. */
  channelsOnce: number;
  channelsTwice: number;
  reports: string[];
  bids: BidCheck;
}

/** What must hold, in words; empty when the rehearsal passed. */
export function sigtermProblems(f: SigtermFigures): string[] {
  return failures([
    f.claimsHeldAtSigterm > 0 || 'A held no posts when it was stopped: the rehearsal proved nothing',
    f.exitCode === 0 || `A exited with ${f.exitCode}`,
    f.exitMs < 10_000 || `A took ${f.exitMs} ms to stop`,
    f.claimsLeftAfterExit === 0 || `A left ${f.claimsLeftAfterExit} claims to run out`,
    f.inFlightToA.lost === 0 || `${f.inFlightToA.lost} turns sent to A lost their answer`,
    f.inFlightToA.answeredByA + f.inFlightToA.reroutedToB === 6 || 'not every bid sent to A was answered',
    // With a claim left to its 60 s lease, the last cards would come a minute after A's exit.
    (f.cardsAfterExit > 0 && f.lastCardAfterExitMs < 20_000) || `B posted ${f.cardsAfterExit} cards, the last ${f.lastCardAfterExitMs} ms after A exited`,
    ...broadcastChecks(f),
    ...bidProblems(f.bids),
  ]);
}

export async function rehearseSigterm(options: { appDir: string; databaseUrl: string; providers?: number }): Promise<SigtermFigures> {
  const providers = options.providers ?? 60;
  const council = await councilIn(options.databaseUrl, { providers, bidders: 20, live: 4 });
  const { mock, base } = council;
  const lb = new LoadBalancer();
  const bots: AppProcess[] = [];
  try {
    // Channel posts are answered 600 ms late: A has sends under way when it is stopped.
    mock.configure({ script: ({ conversationId, method }) => (conversationId.startsWith('19:') && method === 'POST' ? { delayMs: 600 } : undefined) });
    const env = (dir: string) => ({ DATABASE_URL: options.databaseUrl, LINK_SECRET, LOG_LEVEL: 'warn', DATA_DIR: join(council.work, dir) });
    const [a, b] = await Promise.all([startApp(options.appDir, env('a'), { name: 'A' }), startApp(options.appDir, env('b'), { name: 'B' })]);
    bots.push(a, b);
    lb.add(a);
    lb.add(b);
    lb.start();
    const [{ id: aId }] = await query<{ id: string }>(options.databaseUrl, `SELECT id FROM instances WHERE split_part(id, ':', 2) = $1`, [String(a.child.pid)]);

    const load = new BidLoad(council, lb, { refs: base.live, providers: 20, inFlight: 3, pauseMs: 20 });
    load.start();
    const ref = base.broadcastRef;
    const status = await publish(a.url, council, ref);
    if (status !== 200) throw new Error(`publish answered ${status}`);
    await until('a third of the cards posted', () => cardsPerChannel(council, ref).filter((n) => n > 0).length >= providers / 3, 60_000);

    // Bids on their way to A, then SIGTERM while they (and A's sends) are in flight.
    const [held] = await query<{ n: number }>(options.databaseUrl, `SELECT count(*)::int AS n FROM claims WHERE kind = 'outbox' AND holder = $1 AND until > now()`, [aId]);
    const toA = Array.from({ length: 6 }, (_, k) => load.submit(base.live[k % base.live.length], 1 + (k % 20), 'A'));
    await sleep(30);
    const sigtermAt = Date.now();
    const exitCode = await a.stop('SIGTERM');
    const exitedAt = Date.now();
    lb.remove('A');
    const [left] = await query<{ n: number }>(options.databaseUrl, `SELECT count(*)::int AS n FROM claims WHERE holder = $1 AND until > now()`, [aId]);
    const inFlight = await Promise.all(toA);

    await until('every channel to have the card and the broker the report', () => cardsPerChannel(council, ref).every((n) => n > 0) && reports(council).length > 0, 50_000);
    await sleep(1500); // a late duplicate would arrive now
    await load.stop();
    const cardPosts = mock.posts.filter((p) => p.conversationId.startsWith('19:') && p.text.includes(ref));
    const afterExit = cardPosts.filter((p) => p.at > exitedAt);
    const counts = cardsPerChannel(council, ref);
    return {
      channels: providers,
      claimsHeldAtSigterm: held.n,
      exitMs: exitedAt - sigtermAt,
      exitCode,
      claimsLeftAfterExit: left.n,
      inFlightToA: {
        answeredByA: inFlight.filter((s) => s.by === 'A' && s.status === 200).length,
        reroutedToB: inFlight.filter((s) => s.by === 'B').length,
        lost: inFlight.filter((s) => s.error).length,
      },
      cardsAfterExit: afterExit.length,
      lastCardAfterExitMs: Math.max(0, ...afterExit.map((p) => p.at - exitedAt)),
      channelsOnce: counts.filter((n) => n === 1).length,
      channelsTwice: counts.filter((n) => n > 1).length,
      reports: reports(council),
      bids: await load.check(options.databaseUrl),
    };
  } catch (e) {
    for (const bot of bots) console.error(`--- ${bot.name}\n${bot.logs.slice(-15).join('\n')}`);
    throw e;
  } finally {
    lb.stop();
    await Promise.all(bots.map((bot) => bot.stop()));
    await mock.stop();
    await rm(council.work, { recursive: true, force: true });
  }
}
