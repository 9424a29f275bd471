import assert from 'node:assert/strict';
import { loadUser, NO_ROLE_MESSAGE, requirePermission } from '../../src/app/actor.js';
import { AppError } from '../../src/app/errors.js';
import { can, PERMISSIONS } from '../../src/app/permissions.js';
import type { BrokerageStore } from '../../src/store/collections.js';
import { BROKER, COMMISSIONER, freshStore } from './helpers.js';

const EXTERNAL = { id: 'e0000000-0000-4000-8000-000000000003', name: 'Priya Shah', roles: ['provider' as const], providerId: 'caring-hands', tenantId: 'provider-tenant' };

describe('permissions', () => {
  it('lets a role do what the table says and nothing else', () => {
    assert.equal(can({ roles: ['commissioner'] }, 'framework.manage'), true);
    assert.equal(can({ roles: ['broker'] }, 'framework.manage'), false);
    assert.equal(can({ roles: ['broker', 'commissioner'] }, 'framework.manage'), true);
    assert.equal(can({ roles: ['provider'] }, 'bid.submit'), true);
    assert.equal(can({ roles: ['provider'] }, 'framework.view'), false);
    assert.equal(can(undefined, 'framework.view'), false);
  });

  it('gives the provider role nothing a council role has: bidding and saying its capacity are providers’ alone', () => {
    const providers = Object.entries(PERMISSIONS).filter(([, roles]) => (roles as readonly string[]).includes('provider'));
    assert.deepEqual(providers.map(([p]) => p), ['bid.submit', 'capacity.declare']);
    for (const [permission, roles] of providers) assert.deepEqual(roles, ['provider'], permission);
  });

  it('gives the operations view (service.operate) to the admins, the same people as framework.manage', () => {
    assert.deepEqual(PERMISSIONS['service.operate'], PERMISSIONS['framework.manage']);
  });

  describe('requirePermission', () => {
    let store: BrokerageStore;
    let done: () => Promise<void>;
    beforeEach(async () => ({ store, done } = await freshStore([EXTERNAL])));
    afterEach(() => done());

    it('returns the stored user when the role allows it, whatever the case of the object id', async () => {
      const user = await requirePermission(store, { aadObjectId: COMMISSIONER.aadObjectId.toUpperCase() }, 'framework.manage');
      assert.equal(user.name, COMMISSIONER.name);
    });

    it('refuses someone the council has not added, saying how to get a role', async () => {
      await assert.rejects(requirePermission(store, { aadObjectId: 'f0000000-0000-4000-8000-00000000000f' }, 'framework.view'), (e: AppError) => {
        assert.equal(e.kind, 'forbidden');
        assert.equal(e.message, NO_ROLE_MESSAGE);
        return true;
      });
      await assert.rejects(requirePermission(store, { aadObjectId: '' }, 'framework.view'), { kind: 'forbidden' });
    });

    it('refuses a known user whose role does not allow it, naming the action', async () => {
      await assert.rejects(requirePermission(store, BROKER, 'framework.manage'), (e: AppError) => {
        assert.equal(e.kind, 'forbidden');
        assert.match(e.message, /Your role doesn't allow that \(framework manage\)/);
        return true;
      });
    });

    it('treats a tenant-bound user arriving from another tenant as unknown', async () => {
      assert.equal((await loadUser(store, { aadObjectId: EXTERNAL.id, tenantId: 'provider-tenant' }))?.name, 'Priya Shah');
      assert.equal(await loadUser(store, { aadObjectId: EXTERNAL.id, tenantId: 'some-other-tenant' }), undefined);
      await assert.rejects(requirePermission(store, { aadObjectId: EXTERNAL.id, tenantId: 'some-other-tenant' }, 'bid.submit'), { message: NO_ROLE_MESSAGE });
    });
  });
});
