// The HTML report in a real browser: Debian's headless Chromium driven by playwright-core.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { renderHtml } from '../src/report-html';
import { load } from './helpers';
import { cascadeDataset, rng, TraceBuilder } from './trace-generator';

/** Debian's `chromium` (tools/ci/install-system-deps.sh). Without it this suite fails loudly. */
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => fs.existsSync(p));

describe('HTML report in headless Chromium', () => {
  let dir: string;
  let browser: Browser | undefined;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trace-analyze-html-'));
    if (CHROMIUM) {
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        // The closed network of CI machines: no background connections, no first-run work.
        args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      });
    }
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('has Chromium available', () => {
    expect(CHROMIUM).toBeDefined();
  });

  it('renders histograms, component bars, waterfall and flame graph without console errors', async () => {
    const d = cascadeDataset(31, { durationS: 40 });
    // A hostile span name must not break out of the embedded JSON.
    const b = new TraceBuilder(rng(1));
    b.span({ service: 'evil', name: '</script><script>throw new Error("xss")</script>', kind: 'server', start: d.t0, dur: 3 });
    const rep = load([...d.spans, ...b.spans]).finish();
    const file = path.join(dir, 'report.html');
    fs.writeFileSync(file, renderHtml(rep));

    const page = await browser!.newPage({ viewport: { width: 1280, height: 1600 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    // Self-contained: any network request would be a bug (the report must open offline).
    const requests: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith('file://')) requests.push(r.url());
    });
    await page.goto(`file://${file}`, { waitUntil: 'load' });

    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    expect(await page.locator('section').count()).toBe(rep.endpoints.length);
    expect(await page.locator('svg').count()).toBeGreaterThanOrEqual(4 * 3); // histogram, bars, waterfall, flame per endpoint
    expect(await page.locator('rect').count()).toBeGreaterThan(100);
    const text = await page.locator('body').innerText();
    expect(text).toMatch(/Cascade: /);
    expect(text).toContain('</script><script>throw new Error'); // shown as text, never executed

    const shot = await page.screenshot({ fullPage: false });
    expect(shot.length).toBeGreaterThan(20_000);
    // Not a blank page: the rendered pixels vary (a uniform PNG compresses to a few hundred bytes,
    // and a page with content has many distinct colours in its first rows).
    const colours = await page.evaluate(async (b64) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const c = document.createElement('canvas');
      c.width = img.width;
      c.height = img.height;
      const ctx = c.getContext('2d')!;
      ctx.drawImage(img, 0, 0);
      const px = ctx.getImageData(0, 0, c.width, c.height).data;
      const seen = new Set<number>();
      for (let i = 0; i < px.length; i += 4 * 97) seen.add((px[i] << 16) | (px[i + 1] << 8) | px[i + 2]);
      return seen.size;
    }, shot.toString('base64'));
    expect(colours).toBeGreaterThan(8);
    await page.close();
  }, 90_000);
});
