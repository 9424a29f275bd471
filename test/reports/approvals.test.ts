import assert from 'node:assert/strict';
import { DEFAULT_SCHEME, type Approval } from '../../src/domain/approvals.js';
import { approvalFigures, approvalsCsv, APPROVAL_COLUMNS, type ApprovalData } from '../../src/reports/approvals.js';

/** Approvals as the room records them, with only what the report reads. */
const approval = (n: number, over: Partial<Approval>): Approval =>
  ({
    id: `award:PKG-2026-000${n}:1:council`,
    kind: 'award',
    ref: `PKG-2026-000${n}`,
    n: 1,
    body: 'council',
    subject: `the award of PKG-2026-000${n} to Caring Hands Ltd`,
    amounts: { weekly: 525, commitment: 27300, yearly: 27300, weeks: 52, openEnded: true },
    levelNeeded: 'manager',
    level: 'manager',
    levelWhy: [],
    conflicts: [],
    raisedBy: 'sam',
    raisedByName: 'Sam Patel',
    raisedAt: '2026-12-01T10:00:00.000Z', // Tuesday 10:00
    routed: [],
    reminders: [],
    escalations: [],
    status: 'waiting',
    ...over,
  }) as Approval;

describe('reports/approvals: approval times, levels, delegation and escalation', () => {
  const data: ApprovalData = {
    scheme: DEFAULT_SCHEME,
    asOf: new Date('2026-12-08T10:00:00Z'), // the Tuesday after: 5 working days on
    approvals: [
      approval(1, { status: 'approved', decidedAt: '2026-12-01T12:00:00.000Z', decidedLevel: 'manager', decidedByName: 'Morgan Lee' }), // 2 h
      approval(2, { status: 'approved', decidedAt: '2026-12-02T10:00:00.000Z', decidedLevel: 'head-of-service', decidedByName: 'Jo Visitor', decidedFor: 'm', decidedForName: '=Morgan Lee' }), // 8 h
      approval(3, { status: 'rejected', decidedAt: '2026-12-04T10:00:00.000Z', decidedLevel: 'head-of-service', decidedByName: 'Jo Visitor', escalations: [{ at: '2026-12-04T09:00:00.000Z', from: 'manager', to: 'head-of-service' }], reminders: [{ at: '2026-12-03T09:00:00.000Z', level: 'manager' }] }), // 24 h
      approval(4, {}), // still waiting: 40 h
      approval(5, { status: 'lapsed', decidedAt: '2026-12-02T10:00:00.000Z' }),
    ],
  };

  it('median time to a decision, the longest wait (still waiting), decisions by level, delegated and escalated', () => {
    assert.deepEqual(approvalFigures(data), {
      raised: 5,
      decided: 3,
      waiting: 1,
      medianHours: 8,
      longest: { ref: 'PKG-2026-0004', subject: 'the award of PKG-2026-0004 to Caring Hands Ltd', hours: 40, waiting: true },
      byLevel: [
        { level: 'Manager', count: 1 },
        { level: 'Head of service', count: 2 },
      ],
      delegated: 1,
      escalated: 1,
      escalations: 1,
    });
  });

  it('the CSV: one row per approval, documented columns, free text guarded against formulas', () => {
    const lines = approvalsCsv(data).replace(/^\uFEFF/, '').trim().split('\r\n');
    assert.equal(lines[0], APPROVAL_COLUMNS.map((c) => c.name).join(','));
    assert.ok(APPROVAL_COLUMNS.every((c) => c.about.length > 10));
    const rows = lines.slice(1).map((l) => Object.fromEntries(l.split(',').map((v, i) => [APPROVAL_COLUMNS[i].name, v])));
    assert.equal(rows.length, 5);
    assert.deepEqual([rows[1].decided_by, rows[1].decided_for, rows[1].delegated, rows[1].working_hours, rows[1].decided_level], ['Jo Visitor', "'=Morgan Lee", 'yes', '8.0', 'Head of service']);
    assert.deepEqual([rows[2].status, rows[2].escalations, rows[2].reminders, rows[2].level_now], ['rejected', '1', '1', 'Manager']);
    assert.deepEqual([rows[3].status, rows[3].working_hours, rows[3].decided_date], ['waiting', '40.0', '']);
    assert.deepEqual([rows[4].status, rows[4].working_hours], ['lapsed', '']);
  });
});
