import type { BrokerageStore } from '../../store/collections.js';
import type { Who } from '../actor.js';
import { makeAward } from '../award/decision.js';
import { settleVariation } from '../agreements/variations.js';
import { decideShare as decide, type ShareDecision } from './approve.js';

/** A partner's approver decides its share; the last funder's approval makes the award or applies the variation (approve.ts). */
export const decideShare = (store: BrokerageStore, who: Who, id: string, outcome: 'approved' | 'rejected', note: string, now: Date): Promise<ShareDecision> => decide(store, who, id, outcome, note, now, { makeAward, settleVariation });
