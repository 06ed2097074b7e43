"""The Python peer as many shops run it today: Flask with a hand-rolled
X-Trace-ID middleware and NO OpenTelemetry, in the style of the article this
project started from (take the id from the request or mint a uuid4, keep it on
`g`, copy it onto every outbound request, log it in structured lines).

It knows nothing about traceparent: whatever W3C context arrives is dropped on
the floor here, so the only thing that can stitch the Node services on either
side of it into one trace is the X-Trace-ID value itself.

Routes:
  GET /hello           -> {"service", "x_trace_id"}
  GET /call?url=URL    -> GET URL with X-Trace-ID; {"service", "x_trace_id", "downstream": <body as JSON or text>}
Prints `LISTENING <port>` once it accepts connections (port 0 = any free one).
"""
import json
import os
import signal
import sys
import time
import uuid

import requests
from flask import Flask, g, jsonify, request
from werkzeug.serving import make_server

SERVICE = os.environ.get("PEER_SERVICE_NAME", "python-legacy")
app = Flask(__name__)


def log(event, **fields):
    # One JSON object per line: what the article's log pipeline greps by trace_id.
    print(json.dumps({"event": event, "service": SERVICE, "trace_id": getattr(g, "trace_id", None), **fields}), flush=True)


@app.before_request
def take_or_mint_trace_id():
    g.trace_id = request.headers.get("X-Trace-ID") or str(uuid.uuid4())
    g.request_start = time.time()
    log("request_start", path=request.path)


@app.after_request
def finish(response):
    response.headers["X-Trace-ID"] = g.trace_id
    log("request_complete", path=request.path, status=response.status_code,
        duration_ms=round((time.time() - g.request_start) * 1000, 3))
    return response


def traced_get(url):
    """Outbound call carrying only the legacy header, as the article's wrapper does."""
    start = time.time()
    status = "error"
    try:
        r = requests.get(url, headers={"X-Trace-ID": g.trace_id}, timeout=10)
        status = r.status_code
        return r
    finally:
        log("external_request_complete", url=url, status_code=status,
            duration_ms=round((time.time() - start) * 1000, 3))


@app.get("/hello")
def hello():
    return jsonify(service=SERVICE, x_trace_id=g.trace_id)


@app.get("/call")
def call():
    r = traced_get(request.args["url"])
    try:
        downstream = r.json()
    except ValueError:
        downstream = r.text
    return jsonify(service=SERVICE, x_trace_id=g.trace_id, downstream=downstream), r.status_code


def main():
    server = make_server("127.0.0.1", int(os.environ.get("PORT", "0")), app, threaded=True)
    # SIGTERM -> SystemExit in the main thread, so `finally` runs and the port is released.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"LISTENING {server.server_port}", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
