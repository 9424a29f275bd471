import assert from 'node:assert/strict';
import { z } from 'zod';
import { AppError, conflict, fieldErrors, forbidden, invalid, notFound, parseOrThrow } from '../../src/app/errors.js';

describe('app errors', () => {
  it('builds typed refusals', () => {
    assert.equal(forbidden('no').kind, 'forbidden');
    assert.equal(notFound('no').kind, 'not_found');
    assert.equal(conflict('no').kind, 'conflict');
    const e = invalid({ name: 'too short' });
    assert.ok(e instanceof AppError);
    assert.equal(e.kind, 'invalid');
    assert.deepEqual(e.fields, { name: 'too short' });
    assert.equal(e.message, 'Please correct the highlighted fields.');
  });

  it('gives the first message per top-level field, and _form for the whole object', () => {
    const schema = z
      .object({ name: z.string().min(2, 'name is short'), tiers: z.array(z.object({ tier: z.enum(['lead']) })) })
      .refine((x) => x.name !== 'xx', 'not xx');
    const r = schema.safeParse({ name: '', tiers: [{ tier: 'top' }, { tier: 'bottom' }] });
    const fields = fieldErrors(r.error!);
    assert.deepEqual(Object.keys(fields).sort(), ['name', 'tiers']);
    assert.equal(fields.name, 'name is short');
    assert.deepEqual(fieldErrors(schema.safeParse({ name: 'xx', tiers: [] }).error!), { _form: 'not xx' });
  });

  it('parseOrThrow returns parsed data or throws field errors', () => {
    assert.equal(parseOrThrow(z.string().trim(), ' a '), 'a');
    assert.throws(() => parseOrThrow(z.object({ n: z.number() }), { n: 'x' }), (e: AppError) => e.kind === 'invalid' && 'n' in e.fields);
  });
});
