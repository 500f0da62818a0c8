/**
 * The BroadcastChannel on which the reporter (a worker thread) tells the metrics of its process
 * which projections it waits for before recording a report (apps/journey/journeyOps.ts listens).
 */
export const REPORT_WAIT_CHANNEL = 'journey-report-wait';
