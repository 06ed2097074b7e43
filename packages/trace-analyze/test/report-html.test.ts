import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { renderHtml } from '../src/report-html';
import { load } from './helpers';
import { cascadeDataset, rng, TraceBuilder } from './trace-generator';

/** Debian's `chromium` (apt-get install chromium). Without it this suite fails loudly, never silently. */
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => fs.existsSync(p));

function headless(args: string[]) {
  return spawnSync(CHROMIUM!, ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--enable-logging=stderr', '--v=0', ...args], { encoding: 'utf8', timeout: 90_000 });
}

/** Distinct pixel colours of a PNG (8-bit RGB/RGBA, non-interlaced — what Chromium writes). */
function pngColours(file: string): number {
  const buf = fs.readFileSync(file);
  let pos = 8;
  let width = 0;
  let height = 0;
  let channels = 4;
  const idat: Buffer[] = [];
  while (pos < buf.length) {
    const len = buf.readUInt32BE(pos);
    const type = buf.toString('latin1', pos + 4, pos + 8);
    const data = buf.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      channels = data[9] === 6 ? 4 : 3;
    } else if (type === 'IDAT') idat.push(data);
    pos += 12 + len;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const prev = Buffer.alloc(stride);
  const cur = Buffer.alloc(stride);
  const colours = new Set<number>();
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const v = raw[y * (stride + 1) + 1 + x];
      const a = x >= channels ? cur[x - channels] : 0;
      const b = prev[x];
      const c = x >= channels ? prev[x - channels] : 0;
      let p = 0;
      if (f === 1) p = a;
      else if (f === 2) p = b;
      else if (f === 3) p = (a + b) >> 1;
      else if (f === 4) {
        const pa = Math.abs(b - c);
        const pb = Math.abs(a - c);
        const pc = Math.abs(a + b - 2 * c);
        p = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      cur[x] = (v + p) & 255;
    }
    for (let x = 0; x + 2 < stride; x += channels * 7) colours.add((cur[x] << 16) | (cur[x + 1] << 8) | cur[x + 2]);
    cur.copy(prev);
  }
  return colours.size;
}

describe('HTML report in headless Chromium', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trace-analyze-html-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('has Chromium available', () => {
    expect(CHROMIUM).toBeDefined();
  });

  it('renders histograms, component bars, waterfall and flame graph without console errors', () => {
    const d = cascadeDataset(31, { durationS: 40 });
    // A hostile span name must not break out of the embedded JSON.
    const b = new TraceBuilder(rng(1));
    b.span({ service: 'evil', name: '</script><script>throw new Error("xss")</script>', kind: 'server', start: d.t0, dur: 3 });
    const rep = load([...d.spans, ...b.spans]).finish();
    const html = renderHtml(rep);
    // The page under test plus a harness hook that records errors into the DOM (like page.on('pageerror')).
    const hook = '<script>window.__errors=[];addEventListener("error",function(e){document.documentElement.setAttribute("data-errors",(document.documentElement.getAttribute("data-errors")||"")+e.message+";");});</script>';
    const file = path.join(dir, 'report.html');
    fs.writeFileSync(file, html.replace('<head>', `<head>${hook}`));

    const dom = headless(['--dump-dom', `file://${file}`]);
    expect(dom.status).toBe(0);
    expect(dom.stdout).not.toMatch(/data-errors=/);
    expect(`${dom.stderr}`).not.toMatch(/Uncaught|CONSOLE.*[Ee]rror/);
    const sections = dom.stdout.match(/<section>/g) ?? [];
    expect(sections.length).toBe(rep.endpoints.length);
    const svgs = dom.stdout.match(/<svg /g) ?? [];
    expect(svgs.length).toBeGreaterThanOrEqual(4 * 3); // histogram, bars, waterfall, flame per endpoint
    expect(dom.stdout).toMatch(/Cascade: /);
    expect(dom.stdout).toContain('&lt;/script&gt;&lt;script&gt;throw new Error'); // rendered as text
    expect((dom.stdout.match(/<rect /g) ?? []).length).toBeGreaterThan(100);

    const png = path.join(dir, 'shot.png');
    const shot = headless([`--screenshot=${png}`, '--window-size=1280,1600', '--hide-scrollbars', `file://${file}`]);
    expect(shot.status).toBe(0);
    expect(fs.statSync(png).size).toBeGreaterThan(20_000);
    expect(pngColours(png)).toBeGreaterThan(8); // not a blank page
  });
});
