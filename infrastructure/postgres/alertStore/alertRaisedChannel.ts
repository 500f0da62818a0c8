import type pg from 'pg';
import { NewsChannel } from '../newsChannel.ts';

/** News that alerts were raised, so an alerter in another process wakes without polling. */
export class AlertRaisedChannel extends NewsChannel {
  constructor(pool: pg.Pool) {
    super(pool, 'journey_alerts_raised');
  }
}
