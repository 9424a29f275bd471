import assert from 'node:assert/strict';
import { AadObjectId, CqcNumber, Provider, Settings, Slug, User, Zone } from '../../src/domain/framework.js';

const GUID = 'A1E0F3B2-0001-4000-8000-000000000001';

describe('framework schemas', () => {
  describe('Slug', () => {
    for (const ok of ['bury-east', 'lot1', 'ab', 'learning-disability']) {
      it(`accepts "${ok}"`, () => assert.equal(Slug.parse(ok), ok));
    }
    for (const bad of ['a', 'Bury East', 'bury--east', '-bury', 'bury-', 'bury_east', 'x'.repeat(41)]) {
      it(`refuses "${bad}"`, () => assert.equal(Slug.safeParse(bad).success, false));
    }
    it('trims surrounding spaces and explains the form', () => {
      assert.equal(Slug.parse('  radcliffe '), 'radcliffe');
      assert.match(Slug.safeParse('Bury East').error!.issues[0].message, /lower-case letters, digits and single hyphens/);
    });
  });

  describe('CqcNumber', () => {
    it('accepts 1- followed by 9 to 11 digits', () => {
      for (const ok of ['1-123456789', '1-1234567890', '1-12345678901']) assert.ok(CqcNumber.safeParse(ok).success, ok);
    });
    it('refuses other shapes with an example in the message', () => {
      for (const bad of ['123456789', '1-12345678', '1-123456789012', '2-123456789', '1-12345678a']) {
        const r = CqcNumber.safeParse(bad);
        assert.equal(r.success, false, bad);
        assert.match(r.error!.issues[0].message, /1-123456789/);
      }
    });
  });

  describe('AadObjectId', () => {
    it('accepts a GUID and lower-cases it', () => assert.equal(AadObjectId.parse(GUID), GUID.toLowerCase()));
    it('refuses a display name or a short id', () => {
      assert.equal(AadObjectId.safeParse('Alex Morgan').success, false);
      assert.equal(AadObjectId.safeParse('a1e0f3b2-0001-4000-8000').success, false);
    });
  });

  describe('User', () => {
    const base = { id: GUID, name: 'Priya Shah' };
    it('accepts a council user with several roles', () => {
      const u = User.parse({ ...base, roles: ['broker', 'commissioner'] });
      assert.equal(u.id, GUID.toLowerCase());
    });
    it('accepts a provider user who belongs to a provider', () => {
      assert.ok(User.safeParse({ ...base, roles: ['provider'], providerId: 'caring-hands' }).success);
    });
    it('refuses a provider user without a provider', () => {
      const r = User.safeParse({ ...base, roles: ['provider'] });
      assert.deepEqual(r.error!.issues.map((i) => [i.path.join('.'), i.message]), [['providerId', 'a provider user must belong to a provider']]);
    });
    it('refuses a provider user who also holds a council role', () => {
      const r = User.safeParse({ ...base, roles: ['provider', 'broker'], providerId: 'caring-hands' });
      assert.deepEqual(r.error!.issues.map((i) => i.path.join('.')), ['roles']);
      assert.match(r.error!.issues[0].message, /cannot also hold a council role/);
    });
    it('refuses a council user tied to a provider', () => {
      const r = User.safeParse({ ...base, roles: ['broker'], providerId: 'caring-hands' });
      assert.deepEqual(r.error!.issues.map((i) => i.path.join('.')), ['providerId']);
    });
    it('refuses a user without a role', () => {
      assert.match(User.safeParse({ ...base, roles: [] }).error!.issues[0].message, /at least one role/);
    });
  });

  describe('defaults', () => {
    it('gives a zone no neighbours and a provider no lots, zones or tiers', () => {
      assert.deepEqual(Zone.parse({ id: 'bury-east', name: 'Bury East' }).neighbours, []);
      const p = Provider.parse({ id: 'oak-tree', name: 'Oak Tree Care', status: 'applied' });
      assert.deepEqual([p.lots, p.zones, p.tiers], [[], [], []]);
    });
    it('fills settings and refuses a minimum rate of zero', () => {
      assert.deepEqual(Settings.parse({}), { id: 'settings', councilName: 'Demo Council', minHourlyRate: 21.5, publishOnSubmit: false, sequentialRoundHours: 24, postcodeExample: '', caseRefExample: '' });
      assert.equal(Settings.parse({ minHourlyRate: '23.10' }).minHourlyRate, 23.1);
      assert.match(Settings.safeParse({ minHourlyRate: 0 }).error!.issues[0].message, /more than 0/);
    });
  });
});
