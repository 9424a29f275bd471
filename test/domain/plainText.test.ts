import assert from 'node:assert/strict';
import fc from 'fast-check';
import { plainText, stripControls } from '../../src/domain/plainText.js';

/** What a markdown renderer would make live: a link or image target, or a bare address it linkifies. */
const live = (s: string) => /(?<!\\)\[[^\]]*(?<!\\)\]\(/.test(s) || /[a-z]+:\/\/|www\./i.test(s.replace(/\\(.)/g, '$1'));

describe('provider text shown to staff as plain text', () => {
  it('turns the seen phishing support plan into words', () => {
    const typed = 'We will support her. [verify your account](https://evil.example/login) ![logo](https://evil.example/x.png) \u202Egnp.exe\u202C done\u0000\u0007';
    const shown = plainText(typed);
    assert.equal(live(shown), false, shown);
    assert.match(shown, /verify your account \(link removed: evil\\?\[\.\\?\]example\/login\)/);
    assert.doesNotMatch(shown, /[\u202A-\u202E\u2066-\u2069\u0000\u0007]/);
  });

  it('defangs bare addresses and escapes emphasis, lists and headings', () => {
    const shown = plainText('**Urgent**: see http://x.example/a or www.y.example\n- one\n# two\n1. three\n> quote');
    assert.equal(live(shown), false, shown);
    assert.match(shown, /\\\*\\\*Urgent\\\*\\\*/);
    for (const line of shown.split('\n').slice(1)) assert.match(line, /^\\|^\d+\\\./, line);
  });

  it('keeps ordinary text readable and line breaks', () => {
    assert.equal(stripControls('Two carers,\r\nsix days\ta week.'), 'Two carers,\nsix days\ta week.');
    assert.equal(plainText('Two carers (female), 6 days a week: £25.50/h.'), 'Two carers (female), 6 days a week: £25.50/h.');
  });

  it('property: no typed text comes out with a live link or a control character', () => {
    const piece = fc.oneof(
      fc.string(),
      fc.constantFrom('[', ']', '(', ')', '!', 'https://', 'http://', 'www.', '.example', '/', '\u202E', '\u2066', '\u0000', '\u001B', '\u200B', '*', '_', '\n- ', '<', '>', 'javascript:', '\\'),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (parts) => {
        const shown = plainText(parts.join(''));
        return !live(shown) && !/[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069\u200B]/.test(shown);
      }),
      { numRuns: 500 },
    );
  });
});
