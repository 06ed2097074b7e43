"""The Python peer instrumented the OpenTelemetry way: a plain Flask app with no
tracing code, started under `opentelemetry-instrument` (opentelemetry-distro),
so Flask and requests are auto-instrumented and propagate W3C traceparent.
Configuration comes only from OTEL_* variables (service name, OTLP/HTTP
endpoint of the bundled collector), as it would in production.

Routes (same shape as legacy_xtraceid_app.py so the tests can swap peers):
  GET /hello           -> {"service", "trace_id", "x_trace_id"}
  GET /call?url=URL    -> GET URL; {"service", "trace_id", "x_trace_id", "downstream": ...}
`trace_id` is the W3C trace id of the active server span as this process saw it;
`x_trace_id` is the legacy header if one arrived (OTel Python ignores it).
Prints `LISTENING <port>` once it accepts connections.
"""
import os
import signal
import sys

import requests
from flask import Flask, jsonify, request
from opentelemetry import trace
from werkzeug.serving import make_server

SERVICE = os.environ.get("OTEL_SERVICE_NAME", "python-otel")
app = Flask(__name__)


def seen():
    ctx = trace.get_current_span().get_span_context()
    return {
        "service": SERVICE,
        "trace_id": format(ctx.trace_id, "032x") if ctx.is_valid else None,
        "x_trace_id": request.headers.get("X-Trace-ID"),
    }


@app.get("/hello")
def hello():
    return jsonify(**seen())


@app.get("/call")
def call():
    r = requests.get(request.args["url"], timeout=10)
    try:
        downstream = r.json()
    except ValueError:
        downstream = r.text
    return jsonify(**seen(), downstream=downstream), r.status_code


def main():
    server = make_server("127.0.0.1", int(os.environ.get("PORT", "0")), app, threaded=True)
    # SIGTERM -> SystemExit: atexit hooks run, so the SDK flushes its last batch.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"LISTENING {server.server_port}", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
