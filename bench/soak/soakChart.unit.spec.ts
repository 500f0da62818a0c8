import { describe, expect, it } from 'vitest';
import { chartSvg, niceStep, pathOf, soakPanels } from './soakChart.ts';
import type { SoakSample } from './soakSample.ts';

describe('soak chart', () => {
  it('picks round axis steps', () => {
    expect(niceStep(300)).toBe(100);
    expect(niceStep(1_234)).toBe(500);
    expect(niceStep(0)).toBe(1);
  });

  it('breaks a line where a value is missing', () => {
    const d = pathOf(
      [
        [0, 1],
        [1, 2],
        [2, undefined],
        [3, 4],
      ],
      (s) => s * 10,
      (v) => v,
    );
    expect(d).toBe('M0.0,1.0L10.0,2.0M30.0,4.0');
  });

  it('draws memory, lag and alert panels with the budget and the restart marker', () => {
    const samples: SoakSample[] = [0, 5, 10].map((atS) => ({
      atS,
      treeRssMb: 250,
      processRssMb: { journey: 240, 'nats-server': 30 },
      threadHeapMb: { main: 40, alerter: 20 },
      fds: 60,
      loopDelayP99Ms: 10,
      dataDirMb: 5,
      natsStoreMb: 3,
      lagMs: atS === 5 ? undefined : 200,
      alertP50Ms: 4,
      alertP99Ms: 30,
      ackedPerSecond: 2_000,
      journeyUp: atS !== 5,
    }));
    const svg = chartSvg('soak <embedded>', soakPanels(samples, { peakRssMb: 300 }), 10, [5]);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('soak &lt;embedded&gt;');
    expect(svg).toContain('peak RSS budget 300 MB');
    expect(svg).toContain('heap used, alerter');
    expect(svg).toContain('RSS, nats-server');
    expect(svg.match(/stroke-dasharray="2,3"/g)).toHaveLength(3);
  });
});
