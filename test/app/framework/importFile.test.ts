import { scan } from '../../helpers/scan.js';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import YAML from 'yaml';
import { AppError } from '../../../src/app/errors.js';
import { getSettings, saveEntity } from '../../../src/app/framework/admin.js';
import { registerProviderChannel } from '../../../src/app/framework/channels.js';
import { importFramework } from '../../../src/app/framework/importFile.js';
import type { BrokerageStore } from '../../../src/store/collections.js';
import { COMMISSIONER, freshStore } from '../helpers.js';

const demo = async () => YAML.parse(await readFile(join(import.meta.dirname, '../../../demo/framework.yaml'), 'utf8'));

describe('importFramework', () => {
  let store: BrokerageStore;
  let done: () => Promise<void>;
  beforeEach(async () => ({ store, done } = await freshStore()));
  afterEach(() => done());

  const failsAt = (where: RegExp) => (e: AppError) => {
    assert.equal(e.kind, 'invalid');
    assert.match(e.message, where);
    assert.match(e.fields._file, where);
    return true;
  };

  it('loads the demo framework with the right counts', async () => {
    const counts = await importFramework(store, 'system:import', await demo());
    assert.deepEqual(counts, { lots: 8, zones: 6, providers: 5, users: 5, criteria: 8, admissionQuestions: 5 });
    assert.equal((await scan(store, 'lots')).length, 8);
    assert.equal((await scan(store, 'zones')).length, 6);
    assert.equal(((await scan(store, 'providers')).filter((p) => p.status === 'admitted')).length, 4);
    assert.equal((await scan(store, 'users')).length, 5 + 2, 'the five demo users next to the two seeded ones');
    assert.equal((await scan(store, 'criteria')).length, 8);
    assert.equal((await getSettings(store)).councilName, 'Demo Borough Council');
    assert.deepEqual((await store.get('zones', 'prestwich'))!.neighbours, ['whitefield']);
    const [entry] = (await store.audit()).filter((e) => e.collection === 'lots');
    assert.deepEqual([entry.actor, entry.action], ['system:import', 'framework.import']);
  });

  it('can be run twice and keeps registered provider channels', async () => {
    await importFramework(store, 'system:import', await demo());
    await registerProviderChannel(store, COMMISSIONER, 'caring-hands', { conversationId: '19:ch', teamId: 't', serviceUrl: 'https://smba', reference: {} }, '2026-01-01T00:00:00Z');
    const counts = await importFramework(store, 'system:import', await demo());
    assert.equal(counts.providers, 5);
    assert.equal((await store.get('providers', 'caring-hands'))!.channel?.conversationId, '19:ch');
  });

  it('saves nothing when one item is bad, naming section[index].field', async () => {
    const data = await demo();
    data.providers[2].cqcNumber = '12345';
    await assert.rejects(importFramework(store, 'system:import', data), failsAt(/providers\[2\]\.cqcNumber: a CQC number looks like 1-123456789/));
    assert.equal((await scan(store, 'lots')).length, 0);
    assert.equal((await scan(store, 'zones')).length, 0);
    assert.equal((await getSettings(store)).councilName, 'Demo Council');
  });

  it('names an unknown reference the same way', async () => {
    const data = await demo();
    data.users[3].providerId = 'nobody';
    await assert.rejects(importFramework(store, 'x', data), failsAt(/users\[3\]\.providerId: unknown provider: nobody/));
    const data2 = await demo();
    data2.zones[1].neighbours.push('atlantis');
    await assert.rejects(importFramework(store, 'x', data2), failsAt(/zones\[1\]\.neighbours: unknown zone: atlantis/));
  });

  it('names a bad setting', async () => {
    await assert.rejects(importFramework(store, 'x', { settings: { minHourlyRate: 0 } }), failsAt(/settings\.minHourlyRate: must be more than 0/));
  });

  it('refuses a file that is not in the expected shape', async () => {
    await assert.rejects(importFramework(store, 'x', { lots: [], wards: [] }), (e: AppError) => e.kind === 'invalid' && /not in the expected shape/.test(e.message) && /wards/.test(e.fields._file));
    await assert.rejects(importFramework(store, 'x', 'just text'), { kind: 'invalid' });
  });

  it('lets zones be listed in any order', async () => {
    const counts = await importFramework(store, 'x', {
      zones: [
        { id: 'prestwich', name: 'Prestwich', neighbours: ['whitefield'] },
        { id: 'whitefield', name: 'Whitefield', neighbours: ['prestwich', 'radcliffe'] },
        { id: 'radcliffe', name: 'Radcliffe', neighbours: ['whitefield'] },
      ],
    });
    assert.equal(counts.zones, 3);
    assert.deepEqual((await store.get('zones', 'whitefield'))!.neighbours, ['prestwich', 'radcliffe']);
  });

  it('makes neighbours mutual even when the file lists only one side', async () => {
    await saveEntity(store, COMMISSIONER, 'zones', { id: 'bury-east', name: 'Bury East' });
    await importFramework(store, 'x', {
      zones: [
        { id: 'ramsbottom', name: 'Ramsbottom', neighbours: ['tottington', 'bury-east'] },
        { id: 'tottington', name: 'Tottington' },
      ],
    });
    assert.deepEqual((await store.get('zones', 'tottington'))!.neighbours, ['ramsbottom']);
    assert.deepEqual((await store.get('zones', 'bury-east'))!.neighbours, ['ramsbottom']);
    assert.deepEqual((await store.get('zones', 'ramsbottom'))!.neighbours, ['tottington', 'bury-east']);
  });
});
