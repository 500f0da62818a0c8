import { LAG_COUNT_CAP } from '../infrastructure/metrics/journeyMetrics.ts';
import { metricsFigures } from './metricsBench.ts';

// `node bin/run.js bench/metricsMain.ts [--quick]`: the metrics figures alone (see metricsBench.ts)
const figures = await metricsFigures({ quick: process.argv.includes('--quick') });
const n = (x: number) => Math.round(x).toLocaleString('en-US');
process.stdout.write(
  [
    `collector, parse-only, with metrics:    ${n(figures.ingestWith.median)} events/s`,
    `                       without metrics: ${n(figures.ingestWithout.median)} events/s   ratio ${(figures.ingestWith.median / figures.ingestWithout.median).toFixed(2)}×`,
    `/metrics scrape, 3 projections ${n(LAG_COUNT_CAP)} behind: ${figures.scrapeMs.median.toFixed(1)} ms   (one ${n(LAG_COUNT_CAP)}-event read: ${figures.readMs.median.toFixed(1)} ms, ratio ${(figures.scrapeMs.median / figures.readMs.median).toFixed(2)}×)`,
    '',
  ].join('\n'),
);
