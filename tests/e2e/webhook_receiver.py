#!/usr/bin/env python3
"""A loopback webhook receiver for the notification tests.

Verifies each request the way docs/internals/notify.md tells receivers to, and appends one JSON
line per request to --log: {"delivery", "event", "type", "ok", "why"} ("ok": the request verified).

  --mode http      X-Bulwark-Signature "t=<ts>, v1=<hex>" must equal HMAC-SHA256(secret,
                   "<ts>.<raw body>") and ts be within 300 s; X-Bulwark-Delivery is the idempotency key
  --mode dingtalk  DingTalk's custom robot checks: query timestamp (ms, within 1 h) and sign =
                   urlencode(base64(HMAC-SHA256(key=secret, "<timestamp>\\n<secret>"))), JSON
                   msgtype markdown with markdown.title/text; answers {"errcode":0,"errmsg":"ok"}
  --fail-first N   answer 500 to the first N requests
  --hang           never answer (sleep 60 s)
  --cert/--key     serve HTTPS
Prints the port on stdout once listening.
"""
import argparse, base64, socket, hashlib, hmac, json, ssl, sys, threading, time, urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ap = argparse.ArgumentParser()
ap.add_argument("--mode", default="http")
ap.add_argument("--secret", default="")
ap.add_argument("--log", required=True)
ap.add_argument("--fail-first", type=int, default=0)
ap.add_argument("--hang", action="store_true")
ap.add_argument("--port", type=int, default=0)
ap.add_argument("--cert")
ap.add_argument("--key")
a = ap.parse_args()
lock = threading.Lock()
count = [0]


def verify_http(h, body):
    sig = h.headers.get("X-Bulwark-Signature", "")
    parts = dict(p.strip().split("=", 1) for p in sig.split(",") if "=" in p)
    if "t" not in parts or "v1" not in parts:
        return False, "no signature"
    if abs(time.time() - int(parts["t"])) > 300:
        return False, "stale timestamp"
    want = hmac.new(a.secret.encode(), parts["t"].encode() + b"." + body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(want, parts["v1"]):
        return False, "bad signature"
    doc = json.loads(body)
    if doc.get("schema") != "bulwark.event/v1" and doc.get("specversion") != "1.0":
        return False, "unknown body schema"
    if h.headers.get("X-Bulwark-Delivery") != doc.get("delivery", doc.get("id")):
        return False, "delivery header != body"
    return True, ""


def verify_dingtalk(h, body):
    raw = urllib.parse.urlsplit(h.path).query
    q = urllib.parse.parse_qs(raw)
    ts, sign = q.get("timestamp", [""])[0], q.get("sign", [""])[0]
    if not ts.isdigit() or abs(time.time() * 1000 - int(ts)) > 3600 * 1000:
        return False, "bad timestamp"
    want = base64.b64encode(hmac.new(a.secret.encode(), f"{ts}\n{a.secret}".encode(), hashlib.sha256).digest()).decode()
    raw_sign = [p.split("=", 1)[1] for p in raw.split("&") if p.startswith("sign=")][0]
    if sign != want or raw_sign != urllib.parse.quote_plus(want):
        return False, "bad sign"
    doc = json.loads(body)
    md = doc.get("markdown") or {}
    if doc.get("msgtype") != "markdown" or not md.get("title") or not md.get("text"):
        return False, "not a markdown message"
    if h.headers.get("Content-Type", "").split(";")[0] != "application/json":
        return False, "content type"
    return True, ""


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def setup(self):
        super().setup()
        # headers and body go out in two writes: without this, Nagle + delayed ACK add 40 ms per
        # request on a kept-alive connection
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with lock:
            count[0] += 1
            n = count[0]
        if a.hang:
            time.sleep(60)
            return
        if n <= a.fail_first:
            self.reply(500, b'{"error":"try later"}')
            return
        ok, why = (verify_dingtalk if a.mode == "dingtalk" else verify_http)(self, body)
        doc = json.loads(body) if body.startswith(b"{") else {}
        ev = doc.get("event") or doc.get("data") or {}
        rec = {"delivery": self.headers.get("X-Bulwark-Delivery"), "event": ev.get("id"), "type": ev.get("type"),
               "ok": ok, "why": why, "path": self.path, "custom": self.headers.get("X-Team")}
        if a.mode == "dingtalk":
            rec["title"] = (doc.get("markdown") or {}).get("title")
        with lock, open(a.log, "a") as f:
            f.write(json.dumps(rec) + "\n")
        self.reply(200 if ok else 400, b'{"errcode":0,"errmsg":"ok"}' if ok else b'{"errcode":310000}')

    def reply(self, code, data):
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


srv = ThreadingHTTPServer(("127.0.0.1", a.port), H)
srv.daemon_threads = True
if a.cert:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
print(srv.server_address[1], flush=True)
srv.serve_forever()
