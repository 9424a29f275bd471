import assert from 'node:assert/strict';
import { AWARD_COLUMNS, awardsCsv, BID_COLUMNS, bidsCsv, CALLOFF_COLUMNS, calloffsCsv, cellText, OFF_CONTRACT_COLUMNS, offContractCsv, toCsv } from '../../src/reports/csv.js';
import { dataset, OFF_CONTRACT_NAME, OFF_CONTRACT_REASON, Q1 } from './dataset.js';

/**
 * An RFC 4180 parser written for the test, apart from the writer: fields separated by commas,
 * records by CRLF, a field in double quotes may hold commas, CRLF and doubled quotes. A bare LF or
 * CR outside quotes, or anything after a closing quote, is an error (the writer must not make them).
 */
function parseCsv(text: string): string[][] {
  assert.ok(text.startsWith('\uFEFF'), 'starts with a UTF-8 BOM');
  const s = text.slice(1);
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (s[i] === '"') {
      i += 1;
      for (;;) {
        if (i >= s.length) throw new Error('unterminated quoted field');
        if (s[i] === '"') {
          if (s[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        field += s[i++];
      }
    } else {
      while (i < s.length && s[i] !== ',' && s[i] !== '\r' && s[i] !== '\n') {
        if (s[i] === '"') throw new Error(`a quote inside an unquoted field at ${i}`);
        field += s[i++];
      }
    }
    row.push(field);
    if (s[i] === ',') {
      i += 1;
      continue;
    }
    if (s[i] === '\r' && s[i + 1] === '\n') {
      rows.push(row);
      row = [];
      i += 2;
      if (i >= s.length) return rows;
      continue;
    }
    throw new Error(`expected , or CRLF at ${i}, found ${JSON.stringify(s.slice(i, i + 5))}`);
  }
}

const records = (text: string) => {
  const [header, ...rows] = parseCsv(text);
  for (const r of rows) assert.equal(r.length, header.length, 'every record has as many fields as the header');
  return { header, rows: rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]]))) };
};

describe('reports: CSV writer (RFC 4180)', () => {
  it('quotes commas, quotes and line breaks, and parses back to the same values', () => {
    const values = ['plain', 'a, b', 'say "hi"', 'two\r\nlines', 'lf\nonly', '', '£1,234.50 ünïcode', ' spaced '];
    const text = toCsv([{ name: 'v', about: '', value: (r: { v: string }) => r.v }], values.map((v) => ({ v })));
    assert.ok(text.endsWith('\r\n'));
    assert.deepEqual(parseCsv(text).slice(1).map((r) => r[0]), values);
    assert.match(text, /"a, b"\r\n"say ""hi"""/);
  });

  it('guards free text against spreadsheet formulas, but leaves numbers alone', () => {
    assert.equal(cellText('=SUM(A1)', true), "'=SUM(A1)");
    assert.equal(cellText('@cmd', true), "'@cmd");
    assert.equal(cellText('-45.00', false), '-45.00');
    assert.equal(cellText(true), 'yes');
    assert.equal(cellText(undefined), '');
  });
});

describe('reports: CSV exports of the known data set (Q1 2026)', () => {
  const data = dataset();

  it('awards: stable columns, one row per award by award date, parsing back to the data', () => {
    const { header, rows } = records(awardsCsv(data, Q1));
    assert.deepEqual(header, ['reference', 'award_date', 'status', 'accepted_date', 'off_contract', 'provider_id', 'provider_name', 'zone', 'lots', 'weekly_price', 'personal_budget_weekly', 'difference_weekly', 'over_budget', 'days_to_award', 'bids', 'quality_score', 'total_score']);
    assert.deepEqual(header, AWARD_COLUMNS.map((c) => c.name));
    // Worked by hand from the data set (see dataset.ts).
    assert.deepEqual(rows, [
      { reference: 'PKG-2025-0042', award_date: '2026-01-08', status: 'accepted', accepted_date: '2026-01-09', off_contract: 'no', provider_id: 'brightpath', provider_name: 'BrightPath Support', zone: 'bury-east', lots: 'learning-disability', weekly_price: '610.00', personal_budget_weekly: '610.00', difference_weekly: '0.00', over_budget: 'no', days_to_award: '38', bids: '1', quality_score: '', total_score: '' },
      { reference: 'PKG-2026-0001', award_date: '2026-01-20', status: 'accepted', accepted_date: '2026-01-21', off_contract: 'no', provider_id: 'caring-hands', provider_name: 'Caring Hands Ltd', zone: 'bury-east', lots: 'learning-disability', weekly_price: '525.00', personal_budget_weekly: '650.00', difference_weekly: '-125.00', over_budget: 'no', days_to_award: '15', bids: '2', quality_score: '44.40', total_score: '84.40' },
      { reference: 'PKG-2026-0002', award_date: '2026-02-09', status: 'offered', accepted_date: '', off_contract: 'no', provider_id: 'caring-hands', provider_name: 'Caring Hands Ltd', zone: 'radcliffe', lots: 'learning-disability', weekly_price: '700.00', personal_budget_weekly: '600.00', difference_weekly: '100.00', over_budget: 'yes', days_to_award: '30', bids: '1', quality_score: '36.00', total_score: '76.00' },
      { reference: 'PKG-2026-0003', award_date: '2026-02-20', status: 'placed', accepted_date: '', off_contract: 'yes', provider_id: '', provider_name: OFF_CONTRACT_NAME, zone: 'radcliffe', lots: 'learning-disability', weekly_price: '480.00', personal_budget_weekly: '500.00', difference_weekly: '-20.00', over_budget: 'no', days_to_award: '19', bids: '0', quality_score: '', total_score: '' },
    ]);
  });

  it('off-contract placements: the reason keeps its comma and line break, and its leading "=" is neutralised', () => {
    const { header, rows } = records(offContractCsv(data, Q1));
    assert.deepEqual(header, OFF_CONTRACT_COLUMNS.map((c) => c.name));
    assert.deepEqual(rows, [
      { reference: 'PKG-2026-0003', recorded_date: '2026-02-20', provider_name: OFF_CONTRACT_NAME, zone: 'radcliffe', lots: 'learning-disability', weekly_price: '480.00', personal_budget_weekly: '500.00', difference_weekly: '-20.00', days_to_award: '19', bids: '0', reason: `'${OFF_CONTRACT_REASON}` },
    ]);
  });

  it('call-offs: one row per call-off published in the period, where it stands now', () => {
    const { header, rows } = records(calloffsCsv(data, Q1));
    assert.deepEqual(header, CALLOFF_COLUMNS.map((c) => c.name));
    assert.deepEqual(
      rows.map((r) => [r.reference, r.published_date, r.state, r.outcome, r.closed_date, r.offers, r.declined, r.bids, r.no_bids, r.award_date, r.cancelled_date]),
      [
        ['PKG-2026-0001', '2026-01-06', 'awarded', 'awarded', '2026-01-13', '3', '1', '2', 'no', '2026-01-20', ''],
        ['PKG-2026-0002', '2026-01-12', 'awarded', 'awarded', '2026-01-19', '2', '1', '1', 'no', '2026-02-09', ''],
        ['PKG-2026-0003', '2026-02-02', 'awarded', 'off-contract', '2026-02-09', '3', '1', '0', 'yes', '2026-02-20', ''],
        ['PKG-2026-0004', '2026-02-16', 'open', 'open', '', '2', '0', '1', 'no', '', ''],
        ['PKG-2026-0005', '2026-03-02', 'cancelled', 'cancelled', '', '1', '0', '0', 'no', '', '2026-03-05'],
        // R6's award is 1 April in the UK.
        ['PKG-2026-0006', '2026-03-03', 'awarded', 'awarded', '2026-03-10', '2', '0', '2', 'no', '2026-04-01', ''],
      ],
    );
    assert.equal(rows[0].personal_budget_weekly, '650.00');
    assert.equal(rows[0].mode, 'competition');
  });

  it('bids: prices only after close, scores only once revealed, the winner marked', () => {
    const { header, rows } = records(bidsCsv(data, Q1));
    assert.deepEqual(header, BID_COLUMNS.map((c) => c.name));
    const by = Object.fromEntries(rows.map((r) => [r.bid_id, r]));
    assert.deepEqual(Object.keys(by), ['PKG-2026-0001:brightpath', 'PKG-2026-0001:caring-hands', 'PKG-2026-0002:caring-hands', 'PKG-2026-0003:brightpath', 'PKG-2026-0004:brightpath', 'PKG-2026-0006:caring-hands', 'PKG-2026-0006:signing-hands']);
    // R1: CH 4,4,3 → 44.40 + 40.00 = 84.40 rank 1; BP 5,3,3 → 45.60 + 40×525/546 = 38.46 → 84.06 rank 2.
    assert.deepEqual(pick(by['PKG-2026-0001:caring-hands']), { status: 'active', weekly_price: '525.00', compliant: 'yes', quality_score: '44.40', price_score: '40.00', total_score: '84.40', rank: '1', won: 'yes' });
    assert.deepEqual(pick(by['PKG-2026-0001:brightpath']), { status: 'active', weekly_price: '546.00', compliant: 'yes', quality_score: '45.60', price_score: '38.46', total_score: '84.06', rank: '2', won: 'no' });
    // R3: withdrawn, no scores.
    assert.deepEqual(pick(by['PKG-2026-0003:brightpath']), { status: 'withdrawn', weekly_price: '495.00', compliant: '', quality_score: '', price_score: '', total_score: '', rank: '', won: 'no' });
    // R4 is still open: the bid is sealed, no price and no score.
    assert.deepEqual(pick(by['PKG-2026-0004:brightpath']), { status: 'active', weekly_price: '', compliant: '', quality_score: '', price_score: '', total_score: '', rank: '', won: 'no' });
    assert.equal(by['PKG-2026-0004:brightpath'].hourly_rate, '');
    // R6: CH scored 0 on q3 → non-compliant, quality 16.80 and no total; SH wins (its award is in Q2, but it is the award).
    assert.deepEqual(pick(by['PKG-2026-0006:caring-hands']), { status: 'active', weekly_price: '400.00', compliant: 'no', quality_score: '16.80', price_score: '', total_score: '', rank: '', won: 'no' });
    assert.deepEqual(pick(by['PKG-2026-0006:signing-hands']), { status: 'active', weekly_price: '380.00', compliant: 'yes', quality_score: '51.60', price_score: '40.00', total_score: '91.60', rank: '1', won: 'yes' });
    assert.equal(by['PKG-2026-0001:caring-hands'].provider_name, 'Caring Hands Ltd');
  });

  it('no export holds the person’s name, case reference, date of birth or address', () => {
    const all = [awardsCsv, calloffsCsv, bidsCsv, offContractCsv].map((f) => f(data, Q1)).join('\n');
    for (const secret of ['Person PKG', 'LAS-', '1970-01-01', 'Test Street', 'BL9']) assert.ok(!all.includes(secret), `CSV must not hold "${secret}"`);
  });

  it('an empty period gives the header alone', () => {
    assert.equal(awardsCsv(data, { from: '2024-01-01', to: '2024-01-31' }), `\uFEFF${AWARD_COLUMNS.map((c) => c.name).join(',')}\r\n`);
  });
});

const pick = (r: Record<string, string>) => ({ status: r.status, weekly_price: r.weekly_price, compliant: r.compliant, quality_score: r.quality_score, price_score: r.price_score, total_score: r.total_score, rank: r.rank, won: r.won });

describe('reports: CSV formula guard on every text cell (review)', () => {
  it('guards a formula in a column not marked as free text, and leading blanks before one; numbers stay numbers', () => {
    assert.equal(cellText('-2-3'), "'-2-3");
    assert.equal(cellText('+44'), "'+44");
    assert.equal(cellText('=1+1'), "'=1+1");
    assert.equal(cellText(' =1+1', true), "' =1+1");
    assert.equal(cellText('-45.00'), '-45.00');
    assert.equal(cellText(-3), '-3');
    assert.equal(cellText('PKG-2026-0001'), 'PKG-2026-0001');
  });
});
