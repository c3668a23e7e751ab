#!/usr/bin/env python3
"""deploy/nginx/minyi.conf with Debian's nginx in front of a real minyi-server on loopback (issue #11 item 3):
HTTPS through the proxy; bodies refused before they are read; 500 idle sockets and 50 clients dripping headers
do not keep a kiosk upload, a staff page or the public ticket page from answering (p99 printed with and
without that load); the sign-in throttle and the public page's limit keyed on each real client (clients bind
127.0.0.x source addresses); cookies Secure. Run by CTest (label system) as root or not."""
import argparse
import base64
import http.client
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time


class Failure(Exception):
    pass


def log(*a):
    print(*a, flush=True)


def run(cmd, **kw):
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    if r.returncode != 0:
        raise Failure("%s failed (%d): %s%s" % (" ".join(map(str, cmd)), r.returncode, r.stdout, r.stderr))
    return r.stdout


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Front:
    def __init__(self, tmp):
        self.tmp = tmp
        self.server = self.nginx = None

    def start(self, bins):
        tmp = self.tmp
        self.data = os.path.join(tmp, "data")
        run([bins["minyi"], "keygen", "--out", tmp])
        run([bins["minyi"], "demo", "--places-only", "--data", self.data])
        config = os.path.join(tmp, "server.toml")
        with open(config, "w") as f:
            f.write('[server]\nlisten = "127.0.0.1"\nport = 0\ntrusted_proxies = ["127.0.0.1"]\nsecure_cookies = true\n'
                    '[storage]\ndata_dir = "%s"\n[keys]\nkey_pair = "%s"\n' % (self.data, os.path.join(tmp, "server.key")))
        self.server = subprocess.Popen([bins["server"], "--config", config], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        m = re.search(r":(\d+)\s*$", self.server.stdout.readline())
        if not m:
            raise Failure("minyi-server did not start")
        upstream = int(m.group(1))
        # A certificate for 127.0.0.1, as the township's CA would issue one.
        self.cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
        run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
             "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", self.cert])
        self.port = free_port()
        site = open(os.path.join(bins["source"], "deploy", "nginx", "minyi.conf")).read()
        for old, new in [("server 127.0.0.1:8443;", "server 127.0.0.1:%d;" % upstream),
                         ("    listen 80;\n    listen [::]:80;\n", "    listen 127.0.0.1:%d;\n" % free_port()),
                         ("    listen 443 ssl http2;\n    listen [::]:443 ssl http2;\n", "    listen 127.0.0.1:%d ssl;\n" % self.port),
                         ("/etc/minyi/tls/fullchain.pem", self.cert), ("/etc/minyi/tls/privkey.pem", key)]:
            if old not in site:
                raise Failure("deploy/nginx/minyi.conf no longer has %r" % old)
            site = site.replace(old, new)
        with open(os.path.join(tmp, "site.conf"), "w") as f:
            f.write(site)
        for d in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            os.makedirs(os.path.join(tmp, "nginx", d), exist_ok=True)
        os.chmod(tmp, 0o755)
        for d, _, _ in os.walk(os.path.join(tmp, "nginx")):
            os.chmod(d, 0o777)
        conf = os.path.join(tmp, "nginx.conf")
        n = os.path.join(tmp, "nginx")
        with open(conf, "w") as f:
            f.write("worker_processes 1;\nworker_rlimit_nofile 8192;\npid %s/nginx.pid;\nerror_log %s/error.log warn;\n"
                    "events { worker_connections 4096; }\nhttp {\n  access_log off;\n"
                    "  client_body_temp_path %s/body;\n  proxy_temp_path %s/proxy;\n  fastcgi_temp_path %s/fastcgi;\n"
                    "  uwsgi_temp_path %s/uwsgi;\n  scgi_temp_path %s/scgi;\n  include %s/site.conf;\n}\n"
                    % (n, n, n, n, n, n, n, tmp))
        run(["nginx", "-t", "-p", n, "-c", conf])
        self.nginx = subprocess.Popen(["nginx", "-p", n, "-c", conf, "-g", "daemon off;"], stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        self.tls = ssl.create_default_context(cafile=self.cert)

    def request(self, method, path, body=None, headers=None, source="127.0.0.1", timeout=10):
        c = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.tls, timeout=timeout, source_address=(source, 0))
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            return r.status, dict((k.lower(), v) for k, v in r.getheaders()), r.read()
        finally:
            c.close()

    def raw_head(self, head, source="127.0.0.1", timeout=5):
        """Sends only a request's head over TLS; returns the status line the server answers with, unread body and all."""
        s = socket.create_connection(("127.0.0.1", self.port), timeout=timeout, source_address=(source, 0))
        t = self.tls.wrap_socket(s, server_hostname="127.0.0.1")
        try:
            t.sendall(head.encode())
            start = time.time()
            data = b""
            while b"\r\n" not in data and time.time() - start < timeout:
                chunk = t.recv(4096)
                if not chunk:
                    break
                data += chunk
            return data.split(b"\r\n")[0].decode(errors="replace"), time.time() - start
        finally:
            t.close()

    def close(self):
        for p in (self.nginx, self.server):
            if p and p.poll() is None:
                p.terminate()
                p.wait()


def p99(samples):
    s = sorted(samples)
    return s[min(len(s) - 1, int(len(s) * 0.99))]


def main():
    a = argparse.ArgumentParser()
    for n in ("server", "minyi", "source"):
        a.add_argument("--" + n, required=True)
    args = a.parse_args()
    bins = {n: os.path.abspath(getattr(args, n)) for n in ("server", "minyi", "source")}
    tmp = tempfile.mkdtemp(prefix="minyi-nginx-")
    front = Front(tmp)
    try:
        front.start(bins)
        status, _, body = front.request("GET", "/api/v1/health")
        if status != 200 or json.loads(body)["ok"] is not True:
            raise Failure("health through nginx: %s %s" % (status, body))
        log("HTTPS through nginx: health 200")

        # Bodies refused before they are read (item 1, through the proxy).
        for what, head, expect in [
            ("150 MB upload without a token", "POST /api/v1/submissions HTTP/1.1\r\nHost: x\r\nContent-Length: 157286400\r\n\r\n", "401"),
            ("1 MB to the sign-in form", "POST /staff/login HTTP/1.1\r\nHost: x\r\nContent-Length: 1048576\r\n\r\n", "413"),
            ("300 MB to an unknown address", "POST /nothing HTTP/1.1\r\nHost: x\r\nContent-Length: 314572800\r\n\r\n", "413"),
            ("a chunked upload without a token",
             "POST /api/v1/submissions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", "41"),
        ]:
            line, took = front.raw_head(head)
            if expect not in line:
                raise Failure("%s through nginx: %r, not %s" % (what, line, expect))
            log("%s: %s in %.2f s, the body never sent" % (what, line, took))

        # A kiosk: device, enrollment and an upload the server answers item by item.
        code = re.search(r"[0-9A-Z]{5}-[0-9A-Z]{5}", run([bins["minyi"], "device", "add", "--data", front.data, "--site", "donghu-dqfwzx"])).group(0)
        status, _, body = front.request("POST", "/api/v1/enroll", json.dumps({"code": code, "app_version": "0.1.0"}),
                                        {"Content-Type": "application/json"})
        if status != 200:
            raise Failure("enrollment through nginx: %s %s" % (status, body))
        token = json.loads(body)["token"]
        batch = json.dumps({"submissions": [{"id": "5b00e7c8-04b0-452b-96bf-00b470cc6edc", "form_id": "quick", "form_version": 1,
                                             "form_hash": "0" * 64, "kind": "quick", "created_at": "2026-12-02T08:00:00.000Z",
                                             "flags": [], "sealed": base64.b64encode(bytes(64)).decode()}]})

        def upload():
            s, _, b = front.request("POST", "/api/v1/submissions", batch,
                                    {"Authorization": "Bearer " + token, "Content-Type": "application/json"})
            if s != 200 or "results" not in json.loads(b):
                raise Failure("a kiosk upload through nginx: %s %s" % (s, b[:200]))

        def staff_page():
            s, _, _ = front.request("GET", "/staff/login")
            if s != 200:
                raise Failure("the sign-in page: %s" % s)

        def public_page():
            s, _, _ = front.request("GET", "/t/00400-0001R?k=AAAAAAAAAAAAAAAA", source="127.0.0.9")
            if s not in (404, 429):
                raise Failure("the public page: %s" % s)

        def timings(rounds):
            out = {"upload": [], "staff": [], "public": []}
            for _ in range(rounds):
                for name, f in (("upload", upload), ("staff", staff_page), ("public", public_page)):
                    t0 = time.time()
                    f()
                    out[name].append(time.time() - t0)
            return out

        quiet = timings(10)
        # Slow and idle clients (item 2, through the proxy): 500 idle sockets and 50 that drip a header line
        # every 2 s, all from other addresses than the kiosk's and staff's.
        idle, drippers, stop = [], [], threading.Event()
        for i in range(500):
            idle.append(socket.create_connection(("127.0.0.1", front.port), source_address=("127.0.0.2", 0)))

        def drip(k):
            try:
                s = socket.create_connection(("127.0.0.1", front.port), source_address=("127.0.0.3", 0))
                t = front.tls.wrap_socket(s, server_hostname="127.0.0.1")
                t.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n")
                while not stop.wait(2):
                    t.sendall(b"X-Drip-%d: 1\r\n" % k)
            except OSError:
                pass  # nginx closed it (client_header_timeout): that is the point

        threads = [threading.Thread(target=drip, args=(k,), daemon=True) for k in range(50)]
        for t in threads:
            t.start()
        time.sleep(1)
        loaded = timings(10)
        stop.set()
        for s in idle:
            s.close()
        for name in ("upload", "staff", "public"):
            log("%-7s p99 %.0f ms quiet, %.0f ms with 500 idle sockets and 50 header drippers" %
                (name, p99(quiet[name]) * 1000, p99(loaded[name]) * 1000))
            if p99(loaded[name]) > 5:
                raise Failure("%s took %.1f s under the load" % (name, p99(loaded[name])))

        # The sign-in throttle keyed on each real client (minyi-server trusts nginx's X-Forwarded-For).
        def sign_in(source, password):
            s, h, b = front.request("GET", "/staff/login", source=source)
            cookie = re.search(r"minyi_login=([0-9a-f]+)", h.get("set-cookie", "")).group(1)
            if "Secure" not in h.get("set-cookie", ""):
                raise Failure("the sign-in cookie is not Secure behind the proxy: " + h.get("set-cookie", ""))
            csrf = re.search(rb'name="csrf" value="([0-9a-f]+)"', b).group(1).decode()
            from urllib.parse import urlencode
            s, _, _ = front.request("POST", "/staff/login", urlencode({"csrf": csrf, "user": "wang", "password": password}),
                                    {"Content-Type": "application/x-www-form-urlencoded", "Cookie": "minyi_login=" + cookie},
                                    source=source)
            return s

        p = subprocess.run([bins["minyi"], "user", "add", "--data", front.data, "wang", "--role", "admin", "--display", "王主任"],
                           input="correct horse 电池\n", capture_output=True, text=True)
        if p.returncode != 0:
            raise Failure("minyi user add: " + p.stderr)
        for _ in range(5):
            if sign_in("127.0.0.4", "guess") != 401:
                raise Failure("a wrong password was not a 401")
        if sign_in("127.0.0.4", "correct horse 电池") != 429:
            raise Failure("the guessing client was not slowed")
        if sign_in("127.0.0.5", "correct horse 电池") != 303:
            raise Failure("the admin from another client could not sign in while someone guessed")
        log("sign-in through nginx: the guessing client (127.0.0.4) waits, the admin from 127.0.0.5 signs in; cookies Secure")

        # The public page's limit, per real client.
        statuses = [front.request("GET", "/t/00400-0001R?k=AAAAAAAAAAAAAAAA", source="127.0.0.6")[0] for _ in range(35)]
        other = front.request("GET", "/t/00400-0001R?k=AAAAAAAAAAAAAAAA", source="127.0.0.7")[0]
        if 429 not in statuses or other == 429:
            raise Failure("the public page's limit is not per client: %s then %s" % (statuses, other))
        log("public page through nginx: 127.0.0.6 limited after %d requests, 127.0.0.7 still answered (%d)" % (statuses.index(429), other))
        log("OK")
    except Failure as e:
        log("FAIL:", e)
        if front.nginx:
            try:
                log(open(os.path.join(tmp, "nginx", "error.log")).read()[-3000:])
            except OSError:
                pass
        sys.exit(1)
    finally:
        front.close()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
