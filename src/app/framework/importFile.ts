import { z } from 'zod';
import { Settings } from '../../domain/framework.js';
import type { BrokerageStore } from '../../store/collections.js';
import { AppError, invalid } from '../errors.js';
import { ENTITY_KINDS, EntityKind, SETTINGS_ID } from './entities.js';
import { validateEntity } from './admin.js';

/** The bulk file: any of these sections, each a list of items as the admin cards would save them. */
export const FrameworkFile = z
  .object({
    settings: z.record(z.unknown()).optional(),
    lots: z.array(z.unknown()).default([]),
    zones: z.array(z.unknown()).default([]),
    providers: z.array(z.unknown()).default([]),
    users: z.array(z.unknown()).default([]),
    criteria: z.array(z.unknown()).default([]),
    admissionQuestions: z.array(z.unknown()).default([]),
  })
  .strict();

export type ImportCounts = Record<'lots' | 'zones' | 'providers' | 'users' | 'criteria' | 'admissionQuestions', number>;

/**
 * Adds or updates everything in the file in one transaction: either all of it is saved or, on
 * the first bad item, none of it, with an error that names the section, position and field.
 * Zones are saved before their neighbour lists are checked, so a file can list them in any order.
 */
export async function importFramework(store: BrokerageStore, actor: string, data: unknown): Promise<ImportCounts> {
  const file = FrameworkFile.safeParse(data);
  if (!file.success) throw invalid({ _file: file.error.issues.map((i) => `${i.path.join('.') || 'file'}: ${i.message}`).join('; ') }, 'The framework file is not in the expected shape.');
  const f = file.data;
  return store.transact({ actor, action: 'framework.import' }, async (tx) => {
    if (f.settings) {
      const s = Settings.safeParse({ ...(await tx.get('settings', SETTINGS_ID) ?? {}), ...f.settings, id: SETTINGS_ID });
      if (!s.success) throw located('settings', undefined, s.error.issues[0].path.join('.'), s.error.issues[0].message);
      tx.put('settings', s.data);
    }
    const counts = { lots: 0, zones: 0, providers: 0, users: 0, criteria: 0, admissionQuestions: 0 };
    const save = async (section: keyof typeof counts, items: unknown[], check = true) => {
      const kind = ENTITY_KINDS[section] as EntityKind<{ id: string }>;
      for (const [index, raw] of items.entries()) {
        try {
          const item = check ? await validateEntity(tx, kind, raw) : (kind.schema.parse(raw) as { id: string });
          const before = await tx.get(kind.collection, item.id) as { channel?: unknown } | undefined;
          if (section === 'providers' && before?.channel) (item as { channel?: unknown }).channel = before.channel;
          tx.put(kind.collection, item as never);
        } catch (e) {
          if (e instanceof AppError) {
            const [field, message] = Object.entries(e.fields)[0] ?? ['', e.message];
            throw located(section, index, field, message);
          }
          if (e instanceof z.ZodError) throw located(section, index, e.issues[0].path.join('.'), e.issues[0].message);
          throw e;
        }
      }
      counts[section] = items.length;
    };
    await save('lots', f.lots);
    await save('zones', f.zones, false);
    await save('zones', f.zones);
    // Neighbouring is mutual (as when zones are saved one by one): a file may list only one side.
    for (const raw of f.zones) {
      const zone = await tx.get('zones', (raw as { id: string }).id.trim());
      for (const n of zone?.neighbours ?? []) {
        const other = (await tx.get('zones', n))!;
        if (!other.neighbours.includes(zone!.id)) tx.put('zones', { ...other, neighbours: [...other.neighbours, zone!.id].sort() });
      }
    }
    await save('providers', f.providers);
    await save('users', f.users);
    await save('criteria', f.criteria);
    await save('admissionQuestions', f.admissionQuestions);
    return counts;
  });
}

function located(section: string, index: number | undefined, field: string, message: string): AppError {
  const where = `${section}${index === undefined ? '' : `[${index}]`}${field ? `.${field}` : ''}`;
  return invalid({ _file: `${where}: ${message}` }, `The framework file has a problem at ${where}: ${message}`);
}
