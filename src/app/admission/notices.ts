import { createHash } from 'node:crypto';
import type { BrokerageTx } from '../../store/collections.js';
import { enqueue } from '../../outbox/outbox.js';
import type { Notice } from './applications.js';

/**
 * Queues admission notices (outcomes, pauses, standing changes) in the transaction that decides
 * them, so a crash cannot lose them between the decision and the telling. They go through the
 * outbox like every other proactive message: paced, retried, resumed after a restart. The id is
 * the conversation and the text, so a repeat queues nothing new.
 */
export async function queueNotices(tx: BrokerageTx, now: Date, notices: Notice[]): Promise<Notice[]> {
  for (const n of notices) {
    const conversation = String((n.to.conversation as { id?: string } | undefined)?.id);
    const id = `notice:${conversation}:${createHash('sha256').update(n.text).digest('hex').slice(0, 16)}`;
    await enqueue(tx, now, { id, target: { reference: n.to }, message: { kind: 'notice.text', text: n.text } });
  }
  return notices;
}
