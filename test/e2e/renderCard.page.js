// Runs inside the page that test/e2e/browser.ts renders cards in (after adaptivecards.min.js).
// Plain JavaScript on purpose: it is loaded with addScriptTag, never compiled.
/* global window, document */
window.renderCard = function renderCard({ card, hostConfig, width }) {
  const AC = window.AdaptiveCards;
  const host = document.getElementById('host');
  host.style.setProperty('--card-width', width + 'px');
  host.innerHTML = '';
  const escape = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const found = [];
  // Teams renders a subset of markdown in TextBlocks: bold, italics, code, links, line breaks.
  // Like the Agents Playground (react-markdown with a list of allowed elements), anything that looks
  // like an HTML tag, e.g. the "<provider id>" in "admit <provider id>", is dropped.
  AC.AdaptiveCard.onProcessMarkdown = (text, result) => {
    const TAG = /<\/?[A-Za-z][^<>]*>/g; // outside `code spans`, which show their text as it is
    const parts = text.split(/(`[^`]+`)/);
    const tags = parts.filter((p, i) => i % 2 === 0).flatMap((p) => p.match(TAG) || []);
    if (tags.length) found.push('markdown: ' + tags.join(' ') + ' in "' + text + '" looks like HTML and is not shown');
    const html = escape(parts.map((p, i) => (i % 2 === 0 ? p.replace(TAG, '') : p)).join(''))
      .replace(/`([^`]+)`/g, '<code>$1</code>')
      .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
      .replace(/(^|[^*])\*([^*]+)\*/g, '$1<em>$2</em>')
      .replace(/\[([^\]]+)\]\((https?:[^)]+)\)/g, '<a href="$2">$1</a>')
      .replace(/\n/g, '<br>');
    result.outputHtml = '<p>' + html + '</p>';
    result.didProcess = true;
  };
  const adaptiveCard = new AC.AdaptiveCard();
  adaptiveCard.hostConfig = new AC.HostConfig(hostConfig);
  const context = new AC.SerializationContext();
  adaptiveCard.parse(card, context);
  for (let i = 0; i < context.eventCount; i++) found.push('parse: ' + context.getEventAt(i).message);
  for (const e of adaptiveCard.validateProperties().validationEvents || []) found.push('validate: ' + e.message);
  host.appendChild(adaptiveCard.render());
  return found;
};
