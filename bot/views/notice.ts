import { render } from '../render.js';

interface Notice {
  title: string;
  lines: string[];
  footer?: string;
  actions?: { title: string; verb: string; data: Record<string, unknown> }[];
}

/** A short card: a title, lines of text, an optional footer and buttons. */
export const noticeCard = (n: Notice) => render('notice', { title: n.title, lines: n.lines.map((text) => ({ text })), footer: n.footer ?? '', actions: n.actions ?? [] });
