'use strict';
// Turns the harness's results object into the markdown that `npm run bench` prints and
// bench/README.md shows: one table with the setups side by side (medians, with the spread of the
// rounds), the targets of issue 8 with met / not met, and the exporter table.
const { ratio, round } = require('./stats');

const COLS = ['bare', 'upstream-register', 'upstream-nodesdk', 'upstream-lean', 'ours'];
const HEAD = { bare: 'bare node', 'upstream-register': 'upstream register', 'upstream-nodesdk': 'NodeSDK http+pg', 'upstream-lean': 'sdk-trace-node http+pg', ours: 'ours' };

/** "0.126 ±8%": the median and the rounds' (max - min) / median. */
function cell(s, digits) {
  if (!s) return '–';
  const pct = Math.round(s.spread * 100);
  return `${round(s.median, digits)} ±${pct}%`;
}

function setupsTable(results) {
  const st = results.startup?.variants ?? {};
  const rq = results.request?.variants ?? {};
  const cols = COLS.filter((c) => st[c] || rq[c]);
  if (cols.length === 0) return '';
  const row = (name, f) => `| ${name} | ${cols.map(f).join(' | ')} |`;
  const bareUs = rq.bare?.serverCpuUsPerRequest.median;
  const lines = [
    `| | ${cols.map((c) => HEAD[c]).join(' | ')} |`,
    `|---|${cols.map(() => '---:').join('|')}|`,
  ];
  if (results.startup) {
    lines.push(row('startup CPU s (`-e 0`)', (c) => cell(st[c]?.cpuS, 3)));
    lines.push(row('startup wall s', (c) => cell(st[c]?.wallS, 3)));
    lines.push(row('startup peak RSS MiB', (c) => cell(st[c]?.peakRssMiB, 1)));
    lines.push(row('startup CPU × ours', (c) => (st[c] ? `${ratio(st[c].cpuS.median, st.ours?.cpuS.median) ?? '–'}×` : '–')));
  }
  if (results.request) {
    lines.push(row('server CPU µs / request', (c) => cell(rq[c]?.serverCpuUsPerRequest, 1)));
    lines.push(row('added CPU µs / request', (c) => (rq[c] && c !== 'bare' ? `${round(rq[c].serverCpuUsPerRequest.median - bareUs, 1)}` : '–')));
    lines.push(
      row('added CPU × ours', (c) => (rq[c] && c !== 'bare' ? `${ratio(rq[c].serverCpuUsPerRequest.median - bareUs, rq.ours.serverCpuUsPerRequest.median - bareUs) ?? '–'}×` : '–')),
    );
    lines.push(row(`RSS MiB after ${results.request.totalRequestsPerServer} requests`, (c) => cell(rq[c]?.rssAfterMiB, 1)));
    lines.push(row('requests/s (load-bound, informative)', (c) => (rq[c] ? String(rq[c].requestsPerS.median) : '–')));
  }
  return lines.join('\n');
}

/** The issue's targets, evaluated on this run's medians. */
function targets(results) {
  const out = [];
  const st = results.startup?.variants;
  if (st?.ours && st.bare) {
    const cpu = st.ours.cpuS.median - st.bare.cpuS.median;
    const rss = st.ours.peakRssMiB.median - st.bare.peakRssMiB.median;
    out.push({ target: 'startup CPU ≤ bare + 0.05 s', value: `+${round(cpu, 3)} s`, met: cpu <= 0.05 });
    out.push({ target: 'startup peak RSS ≤ bare + 12 MiB', value: `+${round(rss, 1)} MiB`, met: rss <= 12 });
  }
  const rq = results.request?.variants;
  if (rq?.ours && rq.bare) {
    const bare = rq.bare.serverCpuUsPerRequest.median;
    const ours = rq.ours.serverCpuUsPerRequest.median - bare;
    if (rq['upstream-lean']) {
      const lean = rq['upstream-lean'].serverCpuUsPerRequest.median - bare;
      out.push({ target: 'added CPU/request ≤ ½ of sdk-trace-node http+pg (socket benchmark)', value: `${round(ours, 1)} µs vs ${round(lean, 1)} µs (${ratio(ours, lean)}×)`, met: ours <= lean / 2 });
    }
    const mb = ((rq.ours.rssAfterMiB.median - rq.bare.rssAfterMiB.median) * 1048576) / 1e6;
    out.push({ target: `RSS after ${results.request.totalRequestsPerServer} requests ≤ bare + 25 MB`, value: `+${round(mb, 1)} MB`, met: mb <= 25 });
  }
  const ip = results.inproc?.variants;
  if (ip?.ours && ip.bare && ip['upstream-lean']) {
    const bare = ip.bare.usPerRequest.median;
    const ours = ip.ours.usPerRequest.median - bare;
    const lean = ip['upstream-lean'].usPerRequest.median - bare;
    out.push({ target: 'added CPU/request ≤ ½ of sdk-trace-node http+pg (in-process driver)', value: `${round(ours, 1)} µs vs ${round(lean, 1)} µs (${ratio(ours, lean)}×)`, met: ours <= lean / 2 });
  }
  const ex = results.exporter?.variants?.ours;
  if (ex) {
    out.push({ target: `export ${results.exporter.rate} spans/s with zero lost spans`, value: `${ex.lost} lost of ${ex.generated}`, met: ex.lost === 0 });
    // Judged on the CPU time of the slowest serialization call (wall time on a shared machine also
    // counts time the process was preempted); the first, cold call is included.
    out.push({
      target: 'no event-loop stall > 10 ms from serialization',
      value: `slowest serialize call ${ex.serializeMaxCpuMs.max} ms CPU (${ex.serializeMaxMs.max} ms wall); after the first call ${ex.serializeMaxCpuMsAfterFirst.max} ms CPU`,
      met: ex.serializeMaxCpuMs.max <= 10,
    });
  }
  return out;
}

function targetsTable(results) {
  const rows = targets(results).map((t) => `| ${t.target} | ${t.value} | ${t.met ? 'met' : '**not met**'} |`);
  return ['| target (issue 8) | this run | |', '|---|---|---|', ...rows].join('\n');
}

function exporterTable(results) {
  const v = results.exporter?.variants;
  if (!v) return '';
  const names = {
    ours: 'ours (spans encoded as they end; serialize = assembling the request)',
    'upstream-lean': 'sdk-trace-node BatchSpanProcessor + exporter-trace-otlp-proto',
  };
  const lines = [
    `| ${results.exporter.rate} spans/s × ${results.exporter.seconds} s × ${results.exporter.rounds} rounds | lost | CPU µs/span | serialize µs/span | slowest serialize call: CPU ms (wall ms) | same, after the first call | loop delay max ms | loop delay p99 ms |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const [k, x] of Object.entries(v)) {
    lines.push(
      `| ${names[k] ?? k} | ${x.lost} / ${x.generated} | ${x.cpuUsPerSpan} | ${x.serializeUsPerSpan} | ${x.serializeMaxCpuMs.max} (${x.serializeMaxMs.max}) | ${x.serializeMaxCpuMsAfterFirst.max} | ${x.loopDelayMaxMs.max} | ${x.loopDelayP99Ms} |`,
    );
  }
  return lines.join('\n');
}

/** Per-request CPU in process (inproc.bench.js): added µs over bare and the ratio to lean upstream. */
function inprocTable(results) {
  const v = results.inproc?.variants;
  if (!v?.bare) return '';
  const bare = v.bare.usPerRequest.median;
  const lean = v['upstream-lean'] ? v['upstream-lean'].usPerRequest.median - bare : undefined;
  const lines = [
    `| in-process driver, ${results.inproc.requests} requests × ${results.inproc.rounds} rounds | CPU µs / request | added µs | added × lean upstream |`,
    '|---|---:|---:|---:|',
  ];
  for (const [id, x] of Object.entries(v)) {
    const added = x.usPerRequest.median - bare;
    lines.push(`| ${x.label} | ${cell(x.usPerRequest, 2)} | ${id === 'bare' ? '–' : round(added, 2)} | ${id === 'bare' || lean === undefined ? '–' : `${ratio(added, lean)}×`} |`);
  }
  return lines.join('\n');
}

/** " Kept from earlier runs: startup, request (run started …); inproc (run started …)." */
function keptNote(keptFrom) {
  const byRun = new Map();
  for (const [part, startedAt] of Object.entries(keptFrom ?? {})) byRun.set(startedAt, [...(byRun.get(startedAt) ?? []), part]);
  if (byRun.size === 0) return '';
  return ` Kept from earlier runs: ${[...byRun].map(([at, parts]) => `${parts.join(', ')} (run started ${at})`).join('; ')}.`;
}

function markdown(results) {
  const m = results.machine;
  const parts = [
    `Run ${results.finishedAt} on ${m.cpus}× ${m.cpuModel}, ${m.memGiB} GiB, ${m.os}, node ${m.node}; load average ${m.loadavgAtStart} at start${m.pinned ? '; server pinned to core 0, load + sink on core 1' : '; NOT pinned (no taskset)'}. Medians of alternating rounds, ±spread = (max − min) / median.${keptNote(results.keptFrom)}`,
    '',
    ...(results.startup || results.request ? [setupsTable(results), ''] : []),
    targetsTable(results),
  ];
  const ip = inprocTable(results);
  if (ip) parts.push('', ip);
  const ex = exporterTable(results);
  if (ex) parts.push('', ex);
  for (const o of results.others ?? []) {
    parts.push('', `#### ${o.file}${o.code === 0 ? '' : ` (failed: exit ${o.code})`}`, '', o.markdown ?? '```\n' + (o.stdoutTail ?? '') + '\n```');
  }
  return parts.join('\n') + '\n';
}

module.exports = { markdown, targets, setupsTable, targetsTable, exporterTable, inprocTable };
