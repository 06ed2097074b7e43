'use strict';
// After the run: trace-analyze reads the OTLP JSON lines the services wrote — the same CLI a user
// runs on their own traces — once for the text report shown on screen, once for the JSON the
// verdict (and the e2e test) reads. The HTML report comes with the first run.
const path = require('node:path');
const { spawn } = require('node:child_process');

const CLI = path.join(__dirname, '..', '..', '..', 'packages', 'trace-analyze', 'dist', 'cli.js');

function runAnalyzer(args, { stdout = 'inherit', onSpawn } = {}) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', stdout, 'inherit'] });
    onSpawn?.(p);
    p.on('error', reject);
    p.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

/** Prints the text report, writes report.html and analysis.json; returns the parsed JSON report. */
async function analyse({ tracesFile, htmlFile, jsonFile, color, onSpawn }) {
  const common = [tracesFile, '--no-progress'];
  const textCode = await runAnalyzer([...common, '--html', htmlFile, ...(color ? [] : ['--no-color'])], { onSpawn });
  const jsonCode = await runAnalyzer([...common, '--format', 'json', '-o', jsonFile], { stdout: 'ignore', onSpawn });
  if (textCode !== 0 || jsonCode !== 0) throw new Error(`trace-analyze exited with ${textCode || jsonCode}`);
  return JSON.parse(require('node:fs').readFileSync(jsonFile, 'utf8'));
}

function analyzerCommand(tracesFile) {
  return `node ${path.relative(process.cwd(), CLI) || CLI} ${path.relative(process.cwd(), tracesFile)}`;
}

module.exports = { analyse, analyzerCommand, CLI };
