import { launchChromium } from '../../testing/browser/launchChromium.ts';

/**
 * Rasterizes an SVG the bench built with Debian's Chromium (playwright-core, as the docs images
 * are made): no charting or image library to keep up, and Chromium draws text and dashes as a
 * browser would show the SVG itself.
 */
export const svgToPng = async (svg: string, file: string): Promise<void> => {
  const width = Number(/width="(\d+)"/.exec(svg)?.[1] ?? 960);
  const height = Number(/height="(\d+)"/.exec(svg)?.[1] ?? 600);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width, height }, deviceScaleFactor: 1 });
    await page.setContent(`<!doctype html><html><body style="margin:0">${svg}</body></html>`);
    await page.screenshot({ path: file, clip: { x: 0, y: 0, width, height } });
  } finally {
    await browser.close();
  }
};
