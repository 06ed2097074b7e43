'use strict';
// Loaded with --require into every process whose startup we measure. At 'exit' it writes the
// process's own CPU time and peak RSS to the file named by BENCH_RUSAGE_FILE. resourceUsage() has
// microsecond CPU resolution (GNU time prints 10 ms), and the probe costs the same in every variant.
const file = process.env.BENCH_RUSAGE_FILE;
if (file) {
  process.on('exit', () => {
    const r = process.resourceUsage();
    require('fs').writeFileSync(file, JSON.stringify({ userUs: r.userCPUTime, systemUs: r.systemCPUTime, maxRssKiB: r.maxRSS }));
  });
}
