import assert from 'node:assert/strict';
import { checkRate, CostModel, costOfCare, DEFAULT_COST_MODEL, HCA_2025_26, livingWageOn, modelRateFor, rateCheckText, UpliftsText } from '../../src/domain/costModel.js';

/** The amounts of the workings by label, as a card shows them. */
const amounts = (m = HCA_2025_26, uplift = 0) => Object.fromEntries(costOfCare(m, uplift).lines.map((l) => [l.label, l.amount]));

describe('domain/costModel: a fair cost of care with its workings', () => {
  it('reproduces the Homecare Association’s 2025/26 Minimum Price, £32.14, at the £12.21 National Living Wage (worked by hand)', () => {
    // Contact time                 12.21 × 1                                   = 12.21
    // Travel time                  12.21 × 18 ÷ 60 = 3.663                     =  3.66
    // Training and supervision     12.21 × 5 ÷ 60  = 1.0175                    =  1.02
    // Care worker pay              12.21 + 3.66 + 1.02                         = 16.89
    // Holiday pay                  12.07% × 16.89 = 2.038623                   =  2.04
    // Gross pay                    16.89 + 2.04                                = 18.93
    // A year: 12.21 × 30 h × 52 = 19,047.60
    // Employer NI                  15% × (1 − 5,000 ÷ 19,047.60) = 11.0625% → 11.06%; × 18.93 = 2.093658 = 2.09
    // Employer pension             3% × (1 − 6,240 ÷ 19,047.60) = 2.0172% → 2.02%; × 18.93 = 0.382386  =  0.38
    // Mileage                      2.9 × 45p = 130.5p                          =  1.31 (halves up)
    // Direct care worker costs     18.93 + 2.09 + 0.38 + 1.31                  = 22.71 (the HCA's direct costs)
    // Overheads                                                                =  8.49
    // Surplus                      3% × (22.71 + 8.49 = 31.20) = 0.936         =  0.94
    // Sustainable hourly rate      31.20 + 0.94                                = 32.14
    assert.deepEqual(amounts(), {
      'Contact time': 12.21,
      'Travel time': 3.66,
      'Training and supervision': 1.02,
      'Care worker pay': 16.89,
      'Holiday pay': 2.04,
      'Gross pay': 18.93,
      'Employer National Insurance': 2.09,
      'Employer pension': 0.38,
      Mileage: 1.31,
      'Direct care worker costs': 22.71,
      Overheads: 8.49,
      Surplus: 0.94,
      'Sustainable hourly rate': 32.14,
    });
    const c = costOfCare(HCA_2025_26);
    assert.equal(c.rate, 32.14);
    assert.equal(c.direct, 22.71);
    const ni = c.lines.find((l) => l.label === 'Employer National Insurance')!;
    assert.equal(ni.working, '15% above £5,000.00 a year (a care worker paid 30 h a week earns £19,047.60 a year): 11.06% × £18.93');
  });

  it('gives £33.08 at the April 2026 National Living Wage of £12.71, the rest unchanged (worked by hand)', () => {
    // 12.71; 12.71 × 18 ÷ 60 = 3.813 → 3.81; 12.71 × 5 ÷ 60 = 1.0592 → 1.06; pay 17.58
    // holiday 12.07% × 17.58 = 2.1219 → 2.12; gross 19.70
    // a year 12.71 × 30 × 52 = 19,827.60; NI 15% × (1 − 5,000 ÷ 19,827.60) = 11.2174% → 11.22% × 19.70 = 2.2103 → 2.21
    // pension 3% × (1 − 6,240 ÷ 19,827.60) = 2.0559% → 2.06% × 19.70 = 0.4058 → 0.41
    // direct 19.70 + 2.21 + 0.41 + 1.31 = 23.63; + 8.49 = 32.12; surplus 3% = 0.9636 → 0.96; rate 33.08
    const c = costOfCare({ ...HCA_2025_26, payPerHour: 12.71 });
    assert.equal(c.direct, 23.63);
    assert.equal(c.rate, 33.08);
  });

  it('adds a zone uplift on the rate: 5% × £33.08 = £1.654 → £1.65, so £34.73', () => {
    const c = costOfCare({ ...HCA_2025_26, payPerHour: 12.71 }, 5);
    assert.equal(c.baseRate, 33.08);
    assert.equal(amounts({ ...HCA_2025_26, payPerHour: 12.71 }, 5)['Zone uplift'], 1.65);
    assert.equal(c.rate, 34.73);
  });

  it('charges no NI or pension below the yearly thresholds (a worker paid 5 h a week earns £3,174.60)', () => {
    // 12.21 × 5 × 52 = 3,174.60: under both £5,000 and £6,240, so both effective rates are 0.
    const a = amounts({ ...HCA_2025_26, paidHoursPerWeek: 5 });
    assert.equal(a['Employer National Insurance'], 0);
    assert.equal(a['Employer pension'], 0);
    // 18.93 + 0 + 0 + 1.31 = 20.24; + 8.49 = 28.73; surplus 0.8619 → 0.86; rate 29.59
    assert.equal(a['Sustainable hourly rate'], 29.59);
  });

  it('uses a lot’s own model, else the default; a package in two lots takes the higher rate', () => {
    const autism = CostModel.parse({ ...HCA_2025_26, id: 'autism', payPerHour: 13.5, zoneUplifts: { ramsbottom: 10 } });
    const models = [DEFAULT_COST_MODEL, autism];
    assert.deepEqual(modelRateFor(models, ['dementia'], 'bury-east'), { rate: 32.14, lot: 'dementia', own: false, zone: 'bury-east', upliftPct: 0 });
    const both = modelRateFor(models, ['dementia', 'autism'], 'ramsbottom');
    assert.equal(both.lot, 'autism');
    assert.equal(both.own, true);
    assert.equal(both.upliftPct, 10);
    assert.ok(both.rate > costOfCare({ ...HCA_2025_26, payPerHour: 13.5 }).rate);
  });

  it('says how far a rate is below the model, in £ and % of the model', () => {
    // 32.14 − 24.00 = 8.14; 8.14 ÷ 32.14 = 25.33% → 25.3%
    const c = checkRate(24, 32.14);
    assert.deepEqual(c, { hourlyRate: 24, modelRate: 32.14, below: true, gap: 8.14, gapPct: 25.3 });
    assert.equal(rateCheckText(c), "£24.00/h is £8.14 (25.3%) below the cost-of-care model's £32.14/h: a risk to quality and continuity");
    assert.equal(rateCheckText(checkRate(33, 32.14)), "£33.00/h is at or above the cost-of-care model's £32.14/h (by £0.86, 2.7%)");
    assert.equal(checkRate(32.14, 32.14).below, false);
  });

  it('reads zone uplifts one a line and names a bad line', () => {
    assert.deepEqual(UpliftsText.parse('ramsbottom: 5\ntottington = 2.5%'), { ramsbottom: 5, tottington: 2.5 });
    const bad = UpliftsText.safeParse('ramsbottom: 5\nup the hill');
    assert.ok(!bad.success);
    assert.match(bad.error.issues[0].message, /line 2 \("up the hill"\)/);
  });

  it('refuses parameters no council could mean, naming the field', () => {
    const r = CostModel.safeParse({ ...HCA_2025_26, id: 'default', payPerHour: '0x10', surplusPct: 80 });
    assert.ok(!r.success);
    const fields = Object.fromEntries(r.error.issues.map((i) => [i.path[0], i.message]));
    assert.match(fields.payPerHour, /must be a number/);
    assert.match(fields.surplusPct, /at most 50/);
  });

  it('knows the National Living Wage in force on a day', () => {
    assert.equal(livingWageOn('2026-03-31').rate, 12.21);
    assert.equal(livingWageOn('2026-04-01').rate, 12.71);
    assert.equal(livingWageOn('2030-01-01').rate, 12.71);
  });
});
