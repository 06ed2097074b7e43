// `node --require @org/trace-register app.js`: start the SDK from the environment, before the app
// loads anything, so http/pg are patched when the app requires them. Nothing here may throw into
// the host: a broken telemetry setup must leave a working app and one clear line on stderr.
try {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  require('@org/trace-sdk').start();
} catch (err) {
  try {
    process.stderr.write(`@org/trace ERROR tracing disabled, the SDK failed to start: ${(err as Error)?.message ?? String(err)}\n`);
  } catch {
    /* stderr closed */
  }
}
