#!/usr/bin/python3
"""HTTP server for the vulndb e2e test: serves ROOT with Range support. With CUT=1 the first
full GET of each file sends the headers and half the body, then drops the connection (an
interrupted download to resume). Logs each request's path and Range header to LOG.
Usage: vulndb_serve.py ROOT PORTFILE LOG CUT"""
import http.server
import os
import sys

root, portfile, log, cut = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "1"
cut_done = set()


class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def do_GET(self):
        rng = self.headers.get("Range")
        with open(log, "a") as f:
            f.write(f"{self.path} {rng}\n")
        p = os.path.join(root, self.path.lstrip("/").replace("%20", " "))
        if ".." in self.path or not os.path.isfile(p):
            self.send_error(404)
            return
        data = open(p, "rb").read()
        start = 0
        if rng and rng.startswith("bytes="):
            start = int(rng[6:].split("-")[0])
            if start >= len(data):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(data)}")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        body = data[start:]
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if cut and not rng and p not in cut_done:
            cut_done.add(p)
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)


s = http.server.HTTPServer(("127.0.0.1", 0), H)
with open(portfile + ".tmp", "w") as f:
    f.write(str(s.server_address[1]))
os.rename(portfile + ".tmp", portfile)
s.serve_forever()
