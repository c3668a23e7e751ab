#!/usr/bin/env python3
# deploy/systemd as systemd reads it: both units pass `systemd-analyze verify`, the server's sandbox exposure
# stays at most 2.0 (OK), the kiosk restarts at once and for ever, systemd-sysusers makes both users (the kiosk's
# in video, render and input), and minyi-server speaks the notify protocol to a socket as systemd would hold it:
# READY=1 once it listens, WATCHDOG=1 every half WatchdogSec, STOPPING=1 on SIGTERM, exit 0.
import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def verified(source, name, binaries, tmp):
    unit = os.path.join(tmp, name)
    text = open(os.path.join(source, "deploy", "systemd", name)).read()
    # The packaged paths do not exist on a build machine; verify checks that ExecStart can run.
    for packaged, built in binaries.items():
        text = text.replace(packaged, built)
    open(unit, "w").write(text)
    verify = subprocess.run(["systemd-analyze", "verify", unit], capture_output=True, text=True)
    if verify.returncode != 0 or verify.stderr.strip():
        fail("systemd-analyze verify %s: rc %d\n%s" % (name, verify.returncode, verify.stderr))
    return unit, text


def kiosk_checks(source, kiosk, tmp):
    _, text = verified(source, "minyi-kiosk.service", {"/usr/bin/minyi-kiosk": kiosk}, tmp)
    for line in ["Restart=always", "RestartSec=1", "StartLimitIntervalSec=0", "User=minyi-kiosk", "TTYPath=/dev/tty1",
                 "StateDirectory=minyi-kiosk", "StateDirectoryMode=0700", "StandardError=journal"]:
        if line not in text.split("\n"):
            fail("minyi-kiosk.service lost " + line)
    # The users, made in an empty root as the packages will make them.
    root = os.path.join(tmp, "root")
    os.makedirs(os.path.join(root, "etc"))
    open(os.path.join(root, "etc", "passwd"), "w").write("root:x:0:0:root:/root:/bin/bash\n")
    open(os.path.join(root, "etc", "group"), "w").write("root:x:0:\nvideo:x:44:\ninput:x:105:\nrender:x:106:\n")
    for f in ["shadow", "gshadow"]:
        open(os.path.join(root, "etc", f), "w").close()
    conf = "".join(open(os.path.join(source, "deploy", "systemd", n)).read()
                   for n in ["minyi-kiosk.sysusers.conf", "minyi-server.sysusers.conf"])
    made = subprocess.run(["systemd-sysusers", "--root=" + root, "-"], input=conf, capture_output=True, text=True)
    if made.returncode != 0:
        fail("systemd-sysusers: " + made.stderr)
    passwd = open(os.path.join(root, "etc", "passwd")).read()
    group = open(os.path.join(root, "etc", "group")).read()
    for user, home in [("minyi-kiosk", "/var/lib/minyi-kiosk"), ("minyi", "/var/lib/minyi")]:
        if not re.search(r"^%s:x:\d+:\d+:[^:]*:%s:/usr/sbin/nologin$" % (user, home), passwd, re.M):
            fail("no user %s with home %s:\n%s" % (user, home, passwd))
    for g in ["video", "render", "input"]:
        if not re.search(r"^%s:x:\d+:minyi-kiosk$" % g, group, re.M):
            fail("minyi-kiosk is not in %s:\n%s" % (g, group))
    # The night update: a oneshot that may wait hours for residents, on a timer that does not catch up at
    # boot (a kiosk switched on in the morning is not updated under a resident's finger).
    _, update = verified(source, "minyi-kiosk-update.service",
                         {"/usr/lib/minyi-kiosk/night-update": os.path.join(source, "deploy", "night-update")}, tmp)
    for line in ["Type=oneshot", "TimeoutStartSec=4h"]:
        if line not in update.split("\n"):
            fail("minyi-kiosk-update.service lost " + line)
    shutil.copy(os.path.join(source, "deploy", "systemd", "minyi-kiosk-update.timer"), tmp)
    timer = os.path.join(tmp, "minyi-kiosk-update.timer")
    verify = subprocess.run(["systemd-analyze", "verify", timer], capture_output=True, text=True)
    if verify.returncode != 0 or verify.stderr.strip():
        fail("systemd-analyze verify minyi-kiosk-update.timer: rc %d\n%s" % (verify.returncode, verify.stderr))
    timer_text = open(timer).read()
    if "Persistent=true" in timer_text or "OnCalendar=*-*-* 02:00:00" not in timer_text:
        fail("minyi-kiosk-update.timer no longer runs only at night")
    print("minyi-kiosk.service verifies; users minyi-kiosk (video, render, input) and minyi made; the night update verifies")


def unit_checks(source, server, tmp):
    unit, _ = verified(source, "minyi-server.service", {"/usr/bin/minyi-server": server}, tmp)
    security = subprocess.run(["systemd-analyze", "security", "--offline=yes", "--no-pager", unit], capture_output=True, text=True)
    m = re.search(r"Overall exposure level for minyi-server.service: ([0-9.]+)", security.stdout)
    if not m:
        fail("no exposure level in:\n" + security.stdout + security.stderr)
    exposure = float(m.group(1))
    print("systemd-analyze security: exposure %.1f (budget <= 2.0)" % exposure)
    if exposure > 2.0:
        fail("the unit's sandbox got weaker:\n" + security.stdout)


def notify_protocol(minyi, server, tmp):
    subprocess.run([minyi, "keygen", "--out", tmp], check=True, capture_output=True)
    config = os.path.join(tmp, "server.toml")
    open(config, "w").write('[server]\nlisten = "127.0.0.1"\nport = 0\n[storage]\ndata_dir = "%s"\n[keys]\nkey_pair = "%s"\n'
                            % (os.path.join(tmp, "data"), os.path.join(tmp, "server.key")))
    path = os.path.join(tmp, "notify")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(10)
    env = dict(os.environ, NOTIFY_SOCKET=path, WATCHDOG_USEC="1000000")
    proc = subprocess.Popen([server, "--config", config], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        said = []

        def until(word, seconds):
            end = time.time() + seconds
            while time.time() < end:
                try:
                    message = sock.recv(4096).decode()
                except socket.timeout:
                    break
                said.append(message)
                if word in message.split("\n"):
                    return message
            fail("no %s within %d s; heard: %r" % (word, seconds, said))

        ready = until("READY=1", 10)
        if "STATUS=serving http on 127.0.0.1:" not in ready:
            fail("READY without its status line: %r" % ready)
        started = time.time()
        until("WATCHDOG=1", 3)
        until("WATCHDOG=1", 3)
        print("READY, then WATCHDOG twice in %.1f s (WatchdogSec=1)" % (time.time() - started))
        proc.send_signal(signal.SIGTERM)
        until("STOPPING=1", 10)
        if proc.wait(timeout=30) != 0:
            fail("minyi-server exited with %d: %s" % (proc.returncode, proc.stderr.read()))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", required=True)
    parser.add_argument("--minyi", required=True)
    parser.add_argument("--kiosk", required=True)
    parser.add_argument("--source", required=True)
    args = parser.parse_args()
    if not shutil.which("systemd-analyze"):
        fail("systemd-analyze is not installed: run deploy/dev.sh test (it installs systemd)")
    tmp = tempfile.mkdtemp(prefix="minyi-service-")
    try:
        unit_checks(args.source, os.path.abspath(args.server), tmp)
        kiosk_checks(args.source, os.path.abspath(args.kiosk), tmp)
        notify_protocol(args.minyi, args.server, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("ok")


if __name__ == "__main__":
    main()
