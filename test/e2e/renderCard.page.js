// Runs inside the page that test/e2e/browser.ts renders cards in (after adaptivecards.min.js).
// Plain JavaScript on purpose: it is loaded with addScriptTag, never compiled.
/* global window, document */
window.renderCard = function renderCard({ card, hostConfig, width }) {
  const AC = window.AdaptiveCards;
  const host = document.getElementById('host');
  host.style.setProperty('--card-width', width + 'px');
  host.innerHTML = '';
  const escape = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  // Teams renders a subset of markdown in TextBlocks: bold, italics, code, links, line breaks.
  AC.AdaptiveCard.onProcessMarkdown = (text, result) => {
    const html = escape(text)
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
  const found = [];
  for (let i = 0; i < context.eventCount; i++) found.push('parse: ' + context.getEventAt(i).message);
  for (const e of adaptiveCard.validateProperties().validationEvents || []) found.push('validate: ' + e.message);
  host.appendChild(adaptiveCard.render());
  return found;
};
