#!/usr/bin/env python3
"""A hostile HTTP peer for reel's end-to-end tests (tests/e2e/hostile.sh).

Serves the folder ROOT read-only as a static reel repo (GET and HEAD of its files), except that a
GET of a path given with --endless is answered 200 with an endless body of zeros (no
Content-Length, the connection closed when the client goes away). It prints "listening on PORT"
once bound (port 0 picks a free one), and appends one line "PATH BYTES" to SENT_LOG for every
endless body it gave up on, BYTES being what it managed to send.

usage: hostile_server.py ROOT SENT_LOG [--endless PATH]...
"""
import argparse
import http.server
import os
import socketserver
import sys


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("root")
    parser.add_argument("sent_log")
    parser.add_argument("--endless", action="append", default=[])
    args = parser.parse_args()
    root = os.path.realpath(args.root)
    endless = {"/" + p.lstrip("/") for p in args.endless}

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_):
            pass

        def do_HEAD(self):
            self.do_GET(head=True)

        def do_GET(self, head=False):
            path = self.path.split("?", 1)[0]
            if path in endless and not head:
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                chunk = b"0" * 65536
                sent = 0
                try:
                    while True:
                        self.wfile.write(chunk)
                        sent += len(chunk)
                except OSError:
                    pass
                with open(args.sent_log, "a") as log:
                    log.write("%s %d\n" % (path, sent))
                self.close_connection = True
                return
            full = os.path.realpath(os.path.join(root, path.lstrip("/")))
            if not full.startswith(root + os.sep) or not os.path.isfile(full):
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            with open(full, "rb") as f:
                body = f.read()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if not head:
                self.wfile.write(body)

    class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
        daemon_threads = True
        allow_reuse_address = True

    server = Server(("127.0.0.1", 0), Handler)
    print("listening on %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
