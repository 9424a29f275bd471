import assert from 'node:assert/strict';
import { mentionsDate } from '../../../src/domain/privacy/dates.js';
import { tokens } from '../../../src/domain/privacy/tokens.js';

describe('a year in words followed by the text’s own number words', () => {
  it('"two thousand two carers" and "nineteen fifty one daughter" still name 2000 and 1950', () => {
    assert.ok(mentionsDate(tokens('born the 7th of April two thousand two carers'), '2000-04-07'));
    assert.ok(mentionsDate(tokens('born 3 May nineteen fifty one daughter'), '1950-05-03'));
    assert.ok(mentionsDate(tokens('born 3 May nineteen fifty one daughter'), '1951-05-03'));
    assert.ok(!mentionsDate(tokens('born 3 May nineteen fifty one daughter'), '1952-05-03'));
  });
});
