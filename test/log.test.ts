import assert from 'node:assert/strict';
import sinon from 'sinon';
import { createLogger } from '../src/log.js';

describe('createLogger', () => {
  it('writes one JSON object a line at or above its level', () => {
    const write = sinon.spy();
    const log = createLogger('warn', write);
    log.info('quiet');
    log.warn('careful', { calloff: 'PKG-1' });
    log.error('failed', { err: new Error('boom') });
    assert.equal(write.callCount, 2);
    const [warn, error] = write.args.map(([line]) => JSON.parse(line as string));
    assert.deepEqual([warn.level, warn.msg, warn.calloff], ['warn', 'careful', 'PKG-1']);
    assert.equal(error.err.message, 'boom');
    assert.ok(!Number.isNaN(Date.parse(warn.time)));
  });
});
