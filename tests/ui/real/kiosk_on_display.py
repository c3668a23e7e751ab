"""A real minyi-kiosk on a real display, driven the way a resident's finger drives it: pointer events sent
through the display server (xdotool: XTest into Xvfb, or into the X11 window that is cage's output), never
positions set inside the program. What the kiosk shows is read back from its --automation record (screen,
targets and texts with their places, countdowns) and, where it matters, from screenshots; what it stored is
read back from a real minyi-server on loopback, as staff export it.
"""
import csv
import fcntl
import json
import os
import pwd
import re
import shutil
import signal
import subprocess
import time


# Servers (X and Minyi) still running; close_all() ends them whatever failed half-way through a scenario.
RUNNING = []


def close_all():
    for thing in reversed(RUNNING[:]):
        thing.close()


class Failure(Exception):
    pass


def log(*parts):
    print(*parts, flush=True)


def run(cmd, **kw):
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    if r.returncode != 0:
        raise Failure("%s failed (%d): %s%s" % (" ".join(map(str, cmd)), r.returncode, r.stdout, r.stderr))
    return r.stdout


class Xvfb:
    """An X server of its own, at the size asked for (the kiosk or cage's output fills it). Xvfb picks its own
    free display number (-displayfd): tests run side by side, and two of them probing for a free number at the
    same moment once shared one server, which the first then closed under the second."""

    def __init__(self, width, height):
        rfd, wfd = os.pipe()
        self.proc = subprocess.Popen(["Xvfb", "-displayfd", str(wfd), "-screen", "0", "%dx%dx24" % (width, height),
                                      "-nolisten", "tcp"], pass_fds=(wfd,),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(wfd)
        with os.fdopen(rfd) as r:
            line = r.readline().strip()  # written once the server accepts connections
        if not line.isdigit():
            self.proc.kill()
            raise Failure("Xvfb did not start (exit %s)" % self.proc.wait())
        self.number = int(line)
        self.display = ":%d" % self.number
        RUNNING.append(self)

    def close(self):
        if self in RUNNING:
            RUNNING.remove(self)
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait()


class Server:
    """A real minyi-server on a loopback port, with the shipped forms and one kiosk added."""

    def __init__(self, bins, tmp):
        self.bins = bins
        self.data = os.path.join(tmp, "data")
        run([bins["minyi"], "keygen", "--out", self.data])
        run([bins["minyi"], "demo", "--places-only", "--data", self.data])
        self.public_key = open(os.path.join(self.data, "server.pub")).read().split()[0]
        forms = os.path.join(bins["assets"], "forms")
        for f in sorted(os.listdir(forms)):
            run([bins["minyi"], "form", "upload", "--data", self.data, os.path.join(forms, f), "--activate", "all"])
        out = run([bins["minyi"], "device", "add", "--data", self.data, "--site", "donghu-dqfwzx", "--name", "real display test"])
        self.code = re.search(r"enrollment code: (\S+)", out).group(1)
        config = os.path.join(tmp, "server.toml")
        with open(config, "w") as f:
            f.write('[server]\nlisten = "127.0.0.1"\nport = 0\n[storage]\ndata_dir = "%s"\n[keys]\nkey_pair = "%s"\n'
                    % (self.data, os.path.join(self.data, "server.key")))
        self.proc = subprocess.Popen([bins["server"], "--config", config], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        RUNNING.append(self)
        line = self.proc.stdout.readline()
        m = re.search(r"listening on (\S+)", line)
        if not m:
            raise Failure("minyi-server did not start: " + line)
        self.url = m.group(1)

    def export(self, form):
        """The form's submissions as staff export them: a list of rows (dicts by column)."""
        out = os.path.join(os.path.dirname(self.data), form + ".csv")
        r = subprocess.run([self.bins["minyi"], "export", "--data", self.data, "--form", form, "--format", "csv", "--out", out],
                           capture_output=True, text=True)
        if r.returncode != 0:
            return []
        with open(out, encoding="utf-8-sig") as f:
            return list(csv.DictReader(f))

    def wait_for(self, form, predicate, timeout=30):
        end = time.time() + timeout
        rows = []
        while time.time() < end:
            rows = self.export(form)
            if any(predicate(r) for r in rows):
                return rows
            time.sleep(0.5)
        raise Failure("the server has no %s submission as expected after %d s; it has: %s" % (form, timeout, rows))

    def ticket_codes(self):
        """The complaint tickets the server made, by code (read-only, beside the running server)."""
        import sqlite3
        db = sqlite3.connect("file:%s?mode=ro" % os.path.join(self.data, "server.db"), uri=True, timeout=10)
        try:
            return {code for (code,) in db.execute("SELECT code FROM tickets")}
        finally:
            db.close()

    def close(self):
        if self in RUNNING:
            RUNNING.remove(self)
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait()


class Kiosk:
    """minyi-kiosk in kiosk mode (full screen) with its own folder and configuration."""

    def __init__(self, bins, tmp, idle_seconds=90, server=None, kiosk_number=7, user=None, opening_hours=None):
        self.bins = bins
        self.user = user
        self.folder = os.path.join(tmp, "kiosk")
        os.makedirs(self.folder, exist_ok=True)
        self.automation = os.path.join(self.folder, "automation.json")
        self.status_file = os.path.join(self.folder, "status")
        self.log_path = os.path.join(self.folder, "kiosk.log")
        pin_hash = run([bins["minyi"], "pin-hash"], input="2468\n").strip()
        lines = ['[site]', 'id = "donghu-dqfwzx"', 'name = "东湖社区党群服务中心"']
        if not server:
            lines.append("kiosk_number = %d" % kiosk_number)
        lines += ['[storage]', 'database = "kiosk.db"', '[kiosk]', 'forms_folder = "%s"' % os.path.join(bins["assets"], "forms"),
                  'idle_seconds = %d' % idle_seconds] + (['opening_hours = "%s"' % opening_hours] if opening_hours else []) + ['[admin]', 'pin_hash = "%s"' % pin_hash, '[input]', 'user_data_dir = "rime"']
        if server:
            lines += ['[server]', 'url = "%s"' % server.url, 'public_key = "%s"' % server.public_key]
        else:
            # Never enrolled: the server's key from a scratch pair, so submissions can be sealed and kept.
            pair = os.path.join(tmp, "scratch-key")
            run([bins["minyi"], "keygen", "--out", pair])
            lines += ['[server]', 'public_key = "%s"' % open(os.path.join(pair, "server.pub")).read().split()[0]]
        self.config = os.path.join(self.folder, "kiosk.toml")
        with open(self.config, "w") as f:
            f.write("\n".join(lines) + "\n")
        env = dict(os.environ, SDL_VIDEODRIVER="dummy")
        run(self.command("--prepare-input"), env=env)
        if server:
            run(self.command("--enroll", server.code), env=env)
        if user:
            # The kiosk's own user owns its folder (cage will not run as root; neither does a real kiosk).
            pw = pwd.getpwnam(user)
            for root, dirs, files in os.walk(self.folder):
                for n in dirs + files:
                    os.chown(os.path.join(root, n), pw.pw_uid, pw.pw_gid)
            os.chown(self.folder, pw.pw_uid, pw.pw_gid)
        self.proc = None
        self.taps = 0
        self.strokes = 0

    def command(self, *extra):
        return [self.bins["kiosk"], "--config", self.config, "--assets", self.bins["assets"], "--fonts", self.bins["fonts"],
                "--cache-dir", os.path.join(self.folder, "cache")] + list(extra)

    def start(self, env, prefix=()):
        """Starts the kiosk (with `prefix`, e.g. cage, in front) and waits for its first frame."""
        self.xenv = env
        logf = open(self.log_path, "w")
        self.proc = subprocess.Popen(list(prefix) + self.command("--automation", self.automation, "--status-file", self.status_file), env=env,
                                     stdout=logf, stderr=subprocess.STDOUT, start_new_session=True)
        self.wait(lambda s: s["frame"] > 0, 90, "the kiosk's first frame")

    def status(self):
        """What the kiosk tells the night update: between-residents or in-use ('' before it wrote any)."""
        try:
            return open(self.status_file).read().strip()
        except OSError:
            return ""

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        if self.alive():
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

    def log_text(self):
        try:
            return open(self.log_path, errors="replace").read()
        except OSError:
            return ""

    # ---- what the kiosk shows
    def state(self):
        for _ in range(50):
            try:
                with open(self.automation) as f:
                    return json.load(f)
            except (OSError, ValueError):
                time.sleep(0.02)
        return {"frame": 0, "screen": "", "targets": [], "texts": []}

    def wait(self, predicate, timeout, what):
        end = time.time() + timeout
        s = None
        while time.time() < end:
            if self.proc is not None and not self.alive():
                raise Failure("the kiosk ended while waiting for %s:\n%s" % (what, self.log_text()))
            s = self.state()
            try:
                if predicate(s):
                    return s
            except (KeyError, IndexError, TypeError):
                pass
            time.sleep(0.05)
        raise Failure("no %s within %d s; the kiosk shows %s with targets %s" % (
            what, timeout, s and s.get("screen"), s and [t["label"] for t in s.get("targets", [])]))

    def settle(self, quiet=0.25, timeout=10):
        """Waits until the kiosk has stopped drawing (the last event has been handled and drawn)."""
        end = time.time() + timeout
        last, since = self.state().get("frame"), time.time()
        while time.time() < end:
            time.sleep(0.05)
            f = self.state().get("frame")
            if f != last:
                last, since = f, time.time()
            elif time.time() - since >= quiet:
                return self.state()
        return self.state()

    def target(self, label, s=None):
        s = s or self.state()
        for t in s["targets"]:
            if t["label"] == label:
                return t
        return None

    def shows(self, text, s=None):
        s = s or self.state()
        return any(t["text"] == text for t in s["texts"])

    def centre(self, t):
        x0, y0, x1, y1 = t["rect"]
        wx, wy = self.state()["window"]["position"]
        return wx + (x0 + x1) // 2, wy + (y0 + y1) // 2

    # ---- a finger, through the display server
    def xdotool(self, *args):
        run(["xdotool"] + [str(a) for a in args], env=self.xenv)

    def tap(self, label, timeout=10):
        s = self.settle()
        t = self.target(label, s)
        if not t or not t["visible"]:
            s = self.wait(lambda s: (self.target(label, s) or {}).get("visible"), timeout, 'a visible target "%s"' % label)
            t = self.target(label, s)
        x, y = self.centre(t)
        before = self.state()["frame"]
        # No --sync: it waits for the pointer to move, which it never does when it is already there.
        self.xdotool("mousemove", x, y, "sleep", 0.02, "mousedown", 1, "sleep", 0.05, "mouseup", 1)
        self.taps += 1
        self.wait(lambda s: s["frame"] > before, 10, "a frame after tapping " + label)
        return self.settle()

    def tap_quickly(self, label, times):
        """`times` quick taps on one place (the staff gesture: five within three seconds)."""
        x, y = self.centre(self.target(label, self.settle()))
        self.xdotool("mousemove", x, y, "click", "--repeat", times, "--delay", 150, 1)
        self.taps += times
        return self.settle()

    def drag(self, start, end, steps=12, hold=0.3):
        """A finger pressed at `start`, moved to `end` in steps, held still, lifted: a page placed, no fling."""
        args = ["mousemove", start[0], start[1], "mousedown", 1, "sleep", 0.05]
        for i in range(1, steps + 1):
            args += ["mousemove", start[0] + (end[0] - start[0]) * i // steps, start[1] + (end[1] - start[1]) * i // steps,
                     "sleep", 0.02]
        args += ["sleep", hold, "mouseup", 1]
        self.xdotool(*args)
        return self.settle()

    def stroke(self, pad, points, steps=10):
        """One stroke on the writing pad: unit points (0..1) through its rectangle, the path between them in
        small moves, as a finger's motion arrives."""
        x0, y0, x1, y1 = pad["rect"]
        wx, wy = self.state()["window"]["position"]
        def at(p):
            return wx + x0 + int(p[0] * (x1 - x0)), wy + y0 + int(p[1] * (y1 - y0))
        first = at(points[0])
        args = ["mousemove", first[0], first[1], "mousedown", 1, "sleep", 0.03]
        for a, b in zip(points, points[1:]):
            for i in range(1, steps + 1):
                q = at((a[0] + (b[0] - a[0]) * i / steps, a[1] + (b[1] - a[1]) * i / steps))
                args += ["mousemove", q[0], q[1], "sleep", 0.01]
        args += ["mouseup", 1]
        self.xdotool(*args)
        self.strokes += 1
        return self.settle(quiet=0.15)

    def keys(self, *keys):
        self.xdotool("key", *keys)


def stroke_fixtures(source):
    """The hand-written stroke sets of tests/data/input/strokes.txt: {character: [[(x, y), ...], ...]}."""
    out = {}
    with open(os.path.join(source, "tests", "data", "input", "strokes.txt"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or "|" not in line:
                continue
            parts = [p.strip() for p in line.split("|")]
            out[parts[0]] = [[tuple(float(v) for v in pt.split(",")) for pt in s.split()] for s in parts[1:]]
    return out


def scratch_user(name="minyi-kiosk-test"):
    """An unprivileged user to run cage and the kiosk as (cage refuses root); made when missing."""
    # Tests run side by side: one makes the user while the other waits, then finds it.
    with open("/tmp/minyi-kiosk-test-user.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            pwd.getpwnam(name)
        except KeyError:
            run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name])
    return name


def readable_copy(bins, tmp):
    """The kiosk, its assets and fonts copied where an unprivileged user can read them (a clone under
    /root is not), for runs as the kiosk's own user."""
    root = os.path.join(tmp, "install")
    os.makedirs(root)
    out = dict(bins)
    out["kiosk"] = shutil.copy2(bins["kiosk"], os.path.join(root, "minyi-kiosk"))
    out["assets"] = shutil.copytree(bins["assets"], os.path.join(root, "assets"))
    out["fonts"] = shutil.copytree(bins["fonts"], os.path.join(root, "fonts"))
    for d, _, files in os.walk(tmp):
        os.chmod(d, 0o755)
        for n in files:
            os.chmod(os.path.join(d, n), 0o755 if n == "minyi-kiosk" else 0o644)
    return out


def differing_fraction(a, b, tolerance=48):
    """The share of pixels of two PNGs that differ by more than `tolerance` in any channel; None if their sizes
    differ. (Renderers differ by a level here and there in anti-aliasing; a shifted or cropped layout differs
    by whole glyphs and tiles.)"""
    from PIL import Image, ImageChops
    with Image.open(a) as ia, Image.open(b) as ib:
        pa, pb = ia.convert("RGB"), ib.convert("RGB")
        if pa.size != pb.size:
            return None
        r, g, bl = ImageChops.difference(pa, pb).split()
        most = ImageChops.lighter(ImageChops.lighter(r, g), bl)
        differ = sum(most.point(lambda v: 255 if v > tolerance else 0).histogram()[255:])
        return differ / (pa.size[0] * pa.size[1])


def png_size(path):
    from PIL import Image
    with Image.open(path) as im:
        return im.size
