#!/usr/bin/env python3
# The packages as an IT person meets them (issue #13 items 1, 3, 5, 8): CPack's three .deb files pass lintian;
# a fresh Debian 12 root (mmdebstrap) is booted with systemd (systemd-nspawn) and every command block of
# docs/install.md runs in it as written (only the lines marked "# EDIT" get this test's values): the previous
# release installed, nginx with TLS in front of the server, the township's reprepro repository, a kiosk installed
# from it and enrolled through nginx; then the new release published, the server upgraded (its database, put
# back to schema 5, migrated as it restarts), the night update refusing while a resident is at the kiosk and
# upgrading between residents; then remove and purge, keeping the data.
#
# The "previous release" is this build repacked with the version before it: the maintainer scripts, conffiles,
# services and repository see a real upgrade; the databases of each released schema are the fixtures of
# tests/data (the unit tests migrate every one of them).
import argparse
import glob
import os
import re
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

HOST = "minyi.township.test"
EDIT_VALUES = {
    "RELEASE": "/root/minyi-release",
    "MINYI_HOST": HOST,
    "ADMIN_PASSWORD": "fresh-root-Admin-2026",
    "ADMIN_PIN": "2468",
    "STICK": "/media/usb",  # the "USB stick" both machines see (one machine here)
}


class Failure(Exception):
    pass


def log(*parts):
    print("[%s]" % time.strftime("%H:%M:%S"), *parts, flush=True)


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        raise Failure("%s: rc %d\n%s%s" % (" ".join(cmd), r.returncode, r.stdout[-3000:], r.stderr[-3000:]))
    return r.stdout


# ---- the packages --------------------------------------------------------------------------------------------
def build_packages(build, out):
    run(["cpack", "-G", "DEB", "--config", os.path.join(build, "CPackConfig.cmake"), "-B", out])
    debs = sorted(glob.glob(os.path.join(out, "*.deb")))
    names = sorted(os.path.basename(d).split("_")[0] for d in debs)
    if names != ["minyi", "minyi-kiosk", "minyi-server"]:
        raise Failure("cpack made %s" % debs)
    return debs


def lintian(debs):
    r = subprocess.run(["lintian", "--fail-on", "error", "--tag-display-limit", "0"] + debs, capture_output=True, text=True)
    errors = [l for l in r.stdout.splitlines() if l.startswith("E:")]
    if r.returncode != 0 or errors:
        raise Failure("lintian: rc %d\n%s%s" % (r.returncode, r.stdout, r.stderr))
    log("lintian: no errors (%d warnings)" % len([l for l in r.stdout.splitlines() if l.startswith("W:")]))


def field(deb, name):
    return run(["dpkg-deb", "-f", deb, name]).strip()


def repack_as(debs, version, previous, out):
    """The same packages under an older version: what was installed before this release."""
    made = []
    os.makedirs(out, exist_ok=True)
    for deb in debs:
        work = tempfile.mkdtemp(dir=out)
        run(["dpkg-deb", "-R", deb, work])
        control = os.path.join(work, "DEBIAN", "control")
        text = open(control).read().replace("Version: " + version, "Version: " + previous)
        text = text.replace("(= %s)" % version, "(= %s)" % previous)
        open(control, "w").write(text)
        target = os.path.join(out, os.path.basename(deb).replace("_%s_" % version, "_%s_" % previous))
        run(["dpkg-deb", "--root-owner-group", "-b", work, target])
        shutil.rmtree(work)
        made.append(target)
    return made


# ---- docs/install.md -----------------------------------------------------------------------------------------
def install_blocks(path):
    """The ```sh blocks in order, each with its section and its machine (its first line says which)."""
    blocks, section = [], ""
    text = open(path).read()
    for m in re.finditer(r"^(## [^\n]*)$|^```sh\n(.*?)^```", text, re.M | re.S):
        if m.group(1):
            section = m.group(1)
            continue
        body = m.group(2)
        first = body.splitlines()[0]
        machine = "server" if first.startswith("# on the server machine") else "kiosk" if first.startswith("# on the kiosk") else None
        if machine is None:
            raise Failure("docs/install.md: a block does not say where it runs: %r" % first)
        blocks.append((section, machine, body))
    if len(blocks) < 8:
        raise Failure("docs/install.md has only %d command blocks" % len(blocks))
    return blocks


def with_values(body, values):
    """The block with each `NAME=value  # EDIT` line given this test's value; an unknown NAME is an error."""
    def one(m):
        name = m.group(1)
        if name not in values:
            raise Failure("docs/install.md asks to EDIT %s, which this test has no value for" % name)
        return "%s=%s" % (name, shlex.quote(values[name]))
    return re.sub(r"^([A-Z_]+)=\S+(?=\s+# EDIT)", one, body, flags=re.M)


# ---- the booted machine --------------------------------------------------------------------------------------
class Machine:
    """A Debian 12 root made by mmdebstrap, booted by systemd-nspawn (the host's network: nginx and the server
    listen on this machine's loopback, so the test runs alone)."""

    def __init__(self, root):
        self.root = root
        self.proc = None
        self.leader = None

    def make(self):
        t = time.time()
        run(["mmdebstrap", "--variant=apt", "--mode=root", "--include=systemd,systemd-sysv,dbus,ca-certificates",
             "bookworm", self.root])
        with open(os.path.join(self.root, "etc", "hosts"), "a") as f:
            f.write("127.0.0.1 %s\n" % HOST)
        open(os.path.join(self.root, "etc", "hostname"), "w").write("minyi-test\n")
        log("fresh Debian 12 root made in %.0f s" % (time.time() - t))

    def boot(self):
        # nspawn keeps its mount propagation folder on a tmpfs; this sandbox's /run is not one.
        prop = "/run/systemd/nspawn"
        os.makedirs(prop, exist_ok=True)
        if subprocess.run(["mountpoint", "-q", prop]).returncode != 0:
            run(["mount", "-t", "tmpfs", "tmpfs", prop])
        self.console = open(self.root + ".console", "w")
        self.proc = subprocess.Popen(["systemd-nspawn", "-D", self.root, "--boot", "--register=no", "--keep-unit", "-q",
                                      "--console=passive"], stdout=self.console, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        end = time.time() + 120
        while time.time() < end and self.leader is None:
            if self.proc.poll() is not None:
                raise Failure("systemd-nspawn ended: %s" % open(self.root + ".console").read()[-3000:])
            kids = subprocess.run(["ps", "-o", "pid=,comm=", "--ppid", str(self.proc.pid)], capture_output=True, text=True).stdout
            for line in kids.split("\n"):
                parts = line.split()
                if len(parts) == 2 and parts[1] == "systemd":
                    self.leader = parts[0]
            time.sleep(0.2)
        if self.leader is None:
            raise Failure("no systemd in the container")
        state = ""
        while time.time() < end:
            state = self.sh("systemctl is-system-running || true", check=False).strip()
            if state in ("running", "degraded"):
                break
            time.sleep(0.5)
        if state not in ("running", "degraded"):
            raise Failure("the machine did not finish booting: %s" % state)
        log("booted with systemd: %s" % state)

    def sh(self, script, check=True):
        cmd = ["nsenter", "-t", self.leader, "-m", "-u", "-i", "-n", "-p", "--",
               "env", "-i", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root",
               "LANG=C.UTF-8", "DEBIAN_FRONTEND=noninteractive", "/bin/bash", "-euo", "pipefail", "-c", script]
        r = subprocess.run(cmd, capture_output=True, text=True, cwd="/")
        if check and r.returncode != 0:
            raise Failure("in the machine, rc %d:\n%s\n--- stdout\n%s\n--- stderr\n%s" % (r.returncode, script, r.stdout[-4000:], r.stderr[-4000:]))
        return r.stdout

    def file(self, path):
        return os.path.join(self.root, path.lstrip("/"))

    def stop(self):
        if self.proc and self.proc.poll() is None:
            if self.leader:
                subprocess.run(["nsenter", "-t", self.leader, "-m", "-p", "--", "systemctl", "poweroff"], capture_output=True)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def expect(cond, message):
    if not cond:
        raise Failure(message)


def schema5_database(source, path):
    db = sqlite3.connect(path)
    db.executescript(open(os.path.join(source, "tests", "data", "server-upgrade-5.sql")).read())
    db.commit()
    kiosks = [r[0] for r in db.execute("SELECT id FROM devices ORDER BY id")]
    version = db.execute("PRAGMA user_version").fetchone()[0]
    db.close()
    expect(version == 5 and kiosks, "the schema 5 fixture has version %s and kiosks %s" % (version, kiosks))
    return kiosks


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--keep", action="store_true", help="keep the root and the machine's files (debugging)")
    a = ap.parse_args()
    for tool in ["mmdebstrap", "systemd-nspawn", "lintian", "cpack", "nsenter"]:
        if not shutil.which(tool):
            raise Failure("%s is missing (deploy/dev.sh installs it)" % tool)
    tmp = tempfile.mkdtemp(prefix="minyi-fresh-root-", dir="/var/tmp")
    m = Machine(os.path.join(tmp, "root"))
    try:
        out = os.path.join(tmp, "packages")
        os.makedirs(out)
        debs = build_packages(a.build, out)
        lintian(debs)
        version = field(debs[0], "Version")
        major, minor, _ = version.split("-")[0].split(".")
        previous = "%s.%d.0-1" % (major, int(minor) - 1)
        old = repack_as(debs, version, previous, os.path.join(tmp, "previous"))
        log("packages %s, and %s as the release before it" % (version, previous))

        m.make()
        release = m.file(EDIT_VALUES["RELEASE"])
        os.makedirs(release)
        os.makedirs(m.file(EDIT_VALUES["STICK"]))
        for d in old:
            shutil.copy(d, release)
        m.boot()

        values = dict(EDIT_VALUES)
        blocks = install_blocks(os.path.join(a.source, "docs", "install.md"))
        new_release_done = False
        for section, machine, body in blocks:
            if section.startswith("## 3") and not new_release_done:
                new_release_done = True
                check_installed(m, previous)
                # The new release arrives in the same folder; the server's database is one of an older schema.
                for f in glob.glob(os.path.join(release, "*.deb")):
                    os.remove(f)
                for d in debs:
                    shutil.copy(d, release)
                m.sh("systemctl stop minyi-server")
                db = m.file("/var/lib/minyi/server.db")
                for suffix in ["", "-wal", "-shm"]:
                    if os.path.exists(db + suffix):
                        os.remove(db + suffix)
                fixture_kiosks = schema5_database(a.source, db)
                m.sh("chown minyi:minyi /var/lib/minyi/server.db && chmod 0600 /var/lib/minyi/server.db")
            if machine == "kiosk" and "minyi-kiosk-update" in body:
                night_update_waits_for_residents(m, previous)
            script = with_values(body, values)
            t = time.time()
            output = m.sh(script)
            log("%s / %s block done in %.1f s" % (section, machine, time.time() - t))
            # What IT reads off the server's screen and carries to the kiosks.
            key = re.search(r"^([A-Za-z0-9+/]{43}=)$", output, re.M)
            if "minyi provisioning-key" in body and key:
                values["PROVISIONING_KEY"] = key.group(1)
            if "--provision-to" in body:
                files = glob.glob(os.path.join(m.file(EDIT_VALUES["STICK"]), "minyi-provision-*.json"))
                expect(len(files) == 1, "the stick holds %s" % files)
            if "minyi-kiosk --config /etc/minyi-kiosk/kiosk.toml --enroll" in body:
                expect("enrolled as" in output and "东湖社区党群服务中心" in output, "the kiosk's enrollment said: %s" % output)
                kiosk_runs(m)
                kiosk_session_under_systemd(m)

        expect(new_release_done, "docs/install.md has no section 3 (a new release)")
        check_upgraded(m, version, fixture_kiosks)
        remove_and_purge(m)
        log("PASS")
    finally:
        m.stop()
        if not a.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            log("kept", tmp)


def check_installed(m, previous):
    versions = m.sh("dpkg-query -W -f='${Package} ${Version}\\n' minyi minyi-server minyi-kiosk")
    for p in ["minyi", "minyi-server", "minyi-kiosk"]:
        expect("%s %s" % (p, previous) in versions, "installed: %s" % versions)
    show = m.sh("systemctl show minyi-server -p ActiveState -p SubState -p User -p WatchdogUSec -p NRestarts")
    expect("ActiveState=active" in show and "User=minyi" in show and "WatchdogUSec=30s" in show, show)
    expect(m.sh("stat -c '%U %a' /var/lib/minyi /etc/minyi/server.key").split("\n")[:2] == ["minyi 700", "minyi 600"],
           "the server's data folder and key are not the service user's alone")
    expect(m.sh("stat -c '%U %a' /var/lib/minyi-kiosk /etc/minyi-kiosk/kiosk.toml").split("\n")[:2] ==
           ["minyi-kiosk 700", "minyi-kiosk 600"], "the kiosk's data folder and configuration are not its user's alone")
    # Through nginx, HTTPS, the name the kiosks use: the dashboard's sign-in page.
    code = m.sh("curl -s -o /dev/null -w '%%{http_code}' --cacert /etc/minyi-kiosk/township-ca.pem https://%s/staff/login" % HOST)
    expect(code == "200", "https://%s/staff/login through nginx: %s" % (HOST, code))
    enabled = m.sh("systemctl is-enabled minyi-server minyi-kiosk minyi-kiosk-update.timer")
    expect(enabled.split() == ["enabled"] * 3, "enabled: %s" % enabled)
    # A kiosk unit on a machine without tty1 (this container) is skipped, not failing over and over.
    kiosk = m.sh("systemctl show minyi-kiosk -p ConditionResult -p NRestarts -p ActiveState")
    expect("ActiveState=failed" not in kiosk, kiosk)
    timer = m.sh("systemctl list-timers minyi-kiosk-update.timer --all --no-pager")
    expect("minyi-kiosk-update.timer" in timer, timer)
    log("installed %s: server active as minyi with a 30 s watchdog, HTTPS through nginx, units enabled" % previous)


def kiosk_runs(m):
    """The installed kiosk, enrolled, runs as its user from the packaged files and reaches the server."""
    m.sh("runuser -u minyi-kiosk -- env SDL_VIDEODRIVER=dummy timeout -s INT 25 /usr/bin/minyi-kiosk "
         "--config /etc/minyi-kiosk/kiosk.toml --headless --status-file /var/lib/minyi-kiosk/status || true")
    status = m.sh("cat /var/lib/minyi-kiosk/status || true").strip()
    expect(status == "between-residents", "the kiosk's status file says %r" % status)
    listed = m.sh("runuser -u minyi -- minyi device list --data /var/lib/minyi")
    line = next((l for l in listed.splitlines() if "大厅一号机" in l), "")
    expect("last contact -" not in line and "waiting for enrollment" not in line, "after the kiosk ran: %s" % listed)
    log("the packaged kiosk ran headless as minyi-kiosk and reached the server:", listed.strip().splitlines()[-1])


# The one thing this container lacks for the kiosk's unit is tty1 with a screen and a touch panel: a drop-in
# (this test's only) gives cage its headless output instead, and a console for a TTY (logind refuses a session
# on VT 1 of a seat without VTs), and leaves the rest of the unit as shipped: the user, the logind session
# through PAM, the sandbox, the state and runtime folders, the restart policy.
KIOSK_DROP_IN = """[Unit]
ConditionPathExists=
ConditionPathExists=/etc/minyi-kiosk/kiosk.toml
[Service]
StandardInput=null
TTYPath=/dev/console
TTYReset=no
TTYVHangup=no
TTYVTDisallocate=no
Environment=WLR_BACKENDS=headless WLR_RENDERER=pixman WLR_LIBINPUT_NO_DEVICES=1 SDL_VIDEODRIVER=wayland
"""


def kiosk_pid(m):
    """The running minyi-kiosk's pid ('' when none); a minimal Debian has no procps."""
    return m.sh("for p in /proc/[0-9]*; do [ \"$(cat $p/comm 2>/dev/null)\" = minyi-kiosk ] && "
                "[ \"$(stat -c %U $p 2>/dev/null)\" = minyi-kiosk ] && echo ${p#/proc/}; done; true").strip()


def kiosk_session_under_systemd(m):
    """systemd starts cage with the kiosk in it as minyi-kiosk; killed, it is running again within 3 s."""
    drop_in = m.file("/etc/systemd/system/minyi-kiosk.service.d/headless-container.conf")
    os.makedirs(os.path.dirname(drop_in))
    open(drop_in, "w").write(KIOSK_DROP_IN)
    m.sh("systemctl daemon-reload && systemctl start minyi-kiosk")
    def wait_for(pred, seconds, what):
        end = time.time() + seconds
        while time.time() < end:
            v = pred()
            if v:
                return v
            time.sleep(0.1)
        raise Failure("no %s within %d s:\n%s" % (what, seconds, m.sh("systemctl status minyi-kiosk --no-pager -l || true; "
                                                                      "journalctl -u minyi-kiosk --no-pager | tail -n 30")))
    first = wait_for(lambda: kiosk_pid(m), 60, "minyi-kiosk process under cage")
    drawn = lambda: m.sh("cat /run/minyi-kiosk/status 2>/dev/null || true").strip()  # /run is the machine's own tmpfs
    wait_for(drawn, 90, "first frame (its status file)")
    show = m.sh("systemctl show minyi-kiosk -p ActiveState -p User -p NRestarts -p MainPID")
    expect("ActiveState=active" in show and "User=minyi-kiosk" in show, show)
    cage = m.sh("cat /proc/$(cat /proc/%s/stat | cut -d' ' -f4)/comm" % first).strip()
    expect(cage == "cage", "minyi-kiosk runs under %r, not cage" % cage)
    session = m.sh("loginctl list-sessions --no-legend || true")
    expect("minyi-kiosk" in session, "no logind session for minyi-kiosk: %r" % session)
    # Killed: cage ends with its client and systemd starts both again.
    m.sh("rm /run/minyi-kiosk/status && kill -9 %s" % first)  # the next status file is the new kiosk's
    t0 = time.time()
    again = wait_for(lambda: (lambda p: p if p and p != first else None)(kiosk_pid(m)), 10, "new minyi-kiosk after the kill")
    restarted = time.time() - t0
    wait_for(drawn, 90, "first frame after the restart")
    drawing = time.time() - t0
    expect(restarted <= 3.0, "the killed kiosk ran again only after %.1f s" % restarted)
    restarts = m.sh("systemctl show minyi-kiosk -p NRestarts --value").strip()
    expect(restarts == "1", "NRestarts is %s" % restarts)
    log("systemd ran cage + minyi-kiosk as minyi-kiosk in a logind session; killed (pid %s), running again after "
        "%.1f s (pid %s), drawing after %.1f s" % (first, restarted, again, drawing))
    # Regression: cage that cannot start waited for the unit's "(sd-pam)" helper for ever, so systemd never
    # started it again (a dark kiosk until someone rebooted it). Now it ends and is started again and again.
    m.sh("systemctl stop minyi-kiosk")
    broken = drop_in.replace("headless-container", "no-display")
    open(broken, "w").write("[Service]\nEnvironment=WLR_BACKENDS=no-such-backend\n")
    m.sh("systemctl daemon-reload && systemctl reset-failed minyi-kiosk && systemctl start minyi-kiosk")
    wait_for(lambda: int(m.sh("systemctl show minyi-kiosk -p NRestarts --value").strip() or 0) >= 3, 20,
             "three restarts of a cage that cannot start")
    m.sh("systemctl stop minyi-kiosk")
    os.remove(broken)
    os.remove(drop_in)
    m.sh("systemctl daemon-reload")
    log("a cage that cannot start ends and is started again (3 restarts within 20 s), never left waiting")


def night_update_waits_for_residents(m, previous):
    """A resident at the kiosk: the night update fetches but does not install, and gives up at its deadline."""
    m.sh("install -d -m 0755 /run/minyi-kiosk && echo in-use > /run/minyi-kiosk/status")
    out = m.sh("MINYI_UPDATE_WAIT_SECONDS=2 MINYI_UPDATE_POLL_SECONDS=1 /usr/lib/minyi-kiosk/night-update")
    expect("not updating tonight" in out, out)
    version = m.sh("dpkg-query -W -f='${Version}' minyi-kiosk")
    expect(version == previous, "the night update installed %s while a resident was at the kiosk" % version)
    m.sh("echo between-residents > /run/minyi-kiosk/status")
    log("night update with a resident at the kiosk: fetched, not installed (%s stays)" % previous)


def check_upgraded(m, version, fixture_kiosks):
    versions = m.sh("dpkg-query -W -f='${Package} ${Version}\\n' minyi minyi-server minyi-kiosk")
    for p in ["minyi", "minyi-server", "minyi-kiosk"]:
        expect("%s %s" % (p, version) in versions, "after the update: %s" % versions)
    journal = m.sh("journalctl -u minyi-kiosk-update.service --no-pager")
    expect("installing minyi-kiosk %s" % version in journal, journal)
    expect(m.sh("systemctl is-active minyi-server").strip() == "active", "the server is not running after its upgrade")
    listed = m.sh("runuser -u minyi -- minyi device list --data /var/lib/minyi")
    for k in fixture_kiosks:
        expect(k in listed, "kiosk %s of the schema 5 database is gone after the upgrade:\n%s" % (k, listed))
    db = sqlite3.connect("file:%s?mode=ro" % m.file("/var/lib/minyi/server.db"), uri=True)
    user_version = db.execute("PRAGMA user_version").fetchone()[0]
    integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
    db.close()
    expect(user_version > 5 and integrity == "ok", "server.db after the upgrade: schema %s, %s" % (user_version, integrity))
    code = m.sh("curl -s -o /dev/null -w '%%{http_code}' --cacert /etc/minyi-kiosk/township-ca.pem https://%s/staff/login" % HOST)
    expect(code == "200", "the dashboard after the upgrade: %s" % code)
    log("upgraded to %s: server migrated schema 5 -> %d (integrity ok, %d kiosks kept), kiosk updated at night" %
        (version, user_version, len(fixture_kiosks)))


def remove_and_purge(m):
    m.sh("apt-get remove -y -q minyi-kiosk")
    expect(not os.path.exists(m.file("/usr/bin/minyi-kiosk")), "remove left the program")
    expect(os.path.exists(m.file("/etc/minyi-kiosk/kiosk.toml")), "remove took the kiosk's configuration")
    m.sh("apt-get purge -y -q minyi-kiosk minyi-server minyi")
    left = m.sh("dpkg-query -W -f='${Package} ${db:Status-Abbrev}\\n' 'minyi*' 2>/dev/null || true")
    expect(all(line.split()[1:] in ([], ["un"], ["pn"]) for line in left.strip().splitlines()), "after purge: %s" % left)
    for gone in ["/etc/minyi/server.toml", "/etc/nginx/sites-available/minyi", "/etc/minyi-kiosk/kiosk.toml",
                 "/lib/systemd/system/minyi-server.service", "/etc/systemd/system/multi-user.target.wants/minyi-server.service",
                 "/etc/systemd/system/timers.target.wants/minyi-kiosk-update.timer"]:
        expect(not os.path.lexists(m.file(gone)), "purge left %s" % gone)
    for kept in ["/var/lib/minyi/server.db", "/etc/minyi/server.key", "/var/lib/minyi-kiosk/kiosk.db"]:
        expect(os.path.exists(m.file(kept)), "purge deleted %s (the township's data)" % kept)
    expect(m.sh("systemctl is-active minyi-server || true").strip() != "active", "the server still runs after purge")
    log("removed and purged: programs, configuration and units gone; server.db, server.key and the kiosk's outbox kept")


if __name__ == "__main__":
    try:
        main()
    except Failure as e:
        print("FAIL: %s" % e, flush=True)
        sys.exit(1)
