#!/usr/bin/env python3
"""The kiosk as residents meet it, through the display server (docs/kiosk.md, "Testing as residents meet
it"). Each scenario is one CTest test (tests/ui/CMakeLists.txt, label "system"):

  x11-strokes-and-scroll   under Xvfb: a complaint described by handwriting strokes sent as pointer
                           events, a long page dragged to its last question and answered, an error brought
                           into view; both submissions read back from a real minyi-server's export
  x11-time-and-reset       under Xvfb: idle_seconds honoured, 还在吗？ counting down every second, the PIN
                           lock counting down, the clock turning at the minute, the next resident's defaults
  x11-size W H             an Xvfb of W×H without a window manager: the full-screen kiosk fills it, matches the
                           headless render, and a tap lands on its button
  cage W H                 Wayland under cage (its X11 backend in an Xvfb of W×H, as the kiosk's user): full
                           screen at the panel's size, a screenshot (grim) that matches the headless render,
                           a tap that reaches the button, no key that leaves; then the output turned to H×W
                           and the kiosk following it
  cage-headless            cage's headless backend (its 1280×720 output): the kiosk's buffers are that size
  persona                  under Xvfb, 长辈模式: the hallway-light complaint written by hand and read back at
                           查询进度; prints the taps, strokes and seconds it took

Usage: real_input.py SCENARIO [W H] --kiosk BIN --screens BIN --server BIN --minyi BIN --assets DIR --fonts DIR --source DIR
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kiosk_on_display import (Failure, Kiosk, Server, Xvfb, close_all, differing_fraction, log, png_size, readable_copy, run,  # noqa: E402
                              scratch_user, stroke_fixtures)


def write_characters(k, source, text):
    """Writes each character of `text` on the pad, stroke by stroke, and takes it from the candidates."""
    fixtures = stroke_fixtures(source)
    for ch in text:
        pad = k.target("手写区") or k.target("手寫區") or k.target("Writing pad")
        if not pad:
            raise Failure("no writing pad on screen")
        for n, stroke in enumerate(fixtures[ch], 1):
            k.stroke(pad, stroke)
            # Under load the kiosk may not have taken the stroke when it looks quiet: wait until it counts it.
            k.wait(lambda st: st.get("keyboard", {}).get("strokes", 0) >= n, 10, "stroke %d of %s on the pad" % (n, ch))
        s = k.settle()
        cands = s.get("keyboard", {}).get("candidates", [])
        if ch not in cands[:3]:
            raise Failure("%s drawn by pointer events came back as %s (not in the first three)" % (ch, cands[:5]))
        log("  %s recognised at rank %d from %d strokes sent through the display server" % (ch, cands.index(ch) + 1, len(fixtures[ch])))
        k.tap(ch)


def file_complaint_by_hand(k, source, text):
    k.tap("我要投诉")
    k.tap("楼道灯不亮")
    k.tap("下一步")
    k.tap("东湖社区")
    k.tap("下一步")
    k.tap("点这里输入:description")
    k.tap("手写")
    write_characters(k, source, text)
    k.tap("。")
    s = k.settle()
    if s["keyboard"]["text"] != text + "。":
        raise Failure("the description reads %r, not %r" % (s["keyboard"]["text"], text + "。"))
    k.tap("完成")
    k.tap("下一步")
    k.tap("匿名")
    k.tap("核对并提交")
    s = k.tap("提交")
    codes = [t["label"][len("ticket:"):] for t in s["targets"] if t["label"].startswith("ticket:")]
    if s["screen"] != "thank-you" or not codes:
        raise Failure("no receipt after 提交: %s" % s["screen"])
    return codes[0]


def scroll_into_view(k, label, tries=12):
    """Drags the page up (a finger on the page's right edge, moving up) until `label` is wholly in view."""
    for _ in range(tries):
        s = k.settle()
        t = k.target(label, s)
        if t is None:
            raise Failure('no "%s" on the page' % label)
        if t["visible"]:
            return t
        w, h = s["window"]["size"]
        x = int(w * 0.97)  # near the right edge, inside the page
        k.drag((x, int(h * 0.7)), (x, int(h * 0.35)))
    raise Failure('"%s" never came into view by dragging' % label)


def strokes_and_scroll(k, server, source, must_scroll=True):
    """On the start screen: a complaint described by handwriting strokes, and the civilized-city matrix in
    长辈模式 dragged row by row to its last row; both read back from the server's export. Ends on the start
    screen, back in normal text."""
    code = file_complaint_by_hand(k, source, "大厅不亮")
    log("receipt", code)
    server.wait_for("complaint", lambda r: "大厅不亮。" in " ".join(r.values()))
    if code.replace("-", "") not in server.ticket_codes():
        raise Failure("the server has no ticket %s" % code)
    log("the server has complaint %s with the description 大厅不亮。, as written on the pad" % code)
    k.tap("完成")
    # A long page: the matrix of the civilized-city form in 长辈模式, every row required.
    k.tap("长辈模式")
    k.tap("填写问卷")
    k.tap("创建文明城市居民满意度调查")
    k.tap("东湖社区")
    k.tap("下一步")
    s = k.settle()
    rows = []
    for t in s["targets"]:
        if t["label"].endswith("/满意") and t["label"] != "satisfaction/满意":
            row = t["label"][: -len("/满意")]
            if row not in rows:
                rows.append(row)
    below = not k.target(rows[-1] + "/满意", s)["visible"]
    if len(rows) < 4 or (must_scroll and not below):
        raise Failure("expected a long matrix page with its last rows below the fold, got rows %s" % rows)
    # Every row but the first, scrolling down to each; then 下一步 brings the unanswered first row back.
    for row in rows[1:]:
        scroll_into_view(k, row + "/满意")
        k.tap(row + "/满意")
    if below:
        log("answered the last row (%s) after dragging the page through the display server" % rows[-1])
        if k.target(rows[0] + "/满意")["visible"]:
            raise Failure("the first row should be out of view after scrolling to the last")
    s = k.tap("下一步")
    if s["screen"] != "form-page" or not k.target(rows[0] + "/满意", s)["visible"]:
        raise Failure("下一步 with an unanswered row did not bring its message into view")
    if below:
        log("下一步 with the first row unanswered scrolled it back into view with its message")
    k.tap(rows[0] + "/满意")
    k.tap("下一步")
    k.tap("楼道灯不亮")  # priorities
    k.tap("下一步")
    k.tap("知道")  # awareness
    k.tap("核对并提交")
    s = k.tap("提交")
    if s["screen"] != "thank-you":
        raise Failure("the civilized-city form was not submitted: %s" % s["screen"])
    server.wait_for("civilized-city", lambda r: True)
    log("the server has the civilized-city submission")
    k.tap("完成")
    k.tap("长辈模式")


def scenario_x11_strokes_and_scroll(bins, tmp):
    server = Server(bins, tmp)
    k = Kiosk(bins, tmp, server=server)
    try:
        k.start(dict(os.environ))
        strokes_and_scroll(k, server, bins["source"])
    finally:
        k.stop()
        server.close()


def scenario_x11_time_and_reset(bins, tmp):
    k = Kiosk(bins, tmp, idle_seconds=20)
    try:
        k.start(dict(os.environ))
        if k.status() != "between-residents":
            raise Failure("a fresh start screen tells the night update %r, not between-residents" % k.status())
        k.tap("EN")
        if k.status() != "in-use":
            raise Failure("a resident chose English and the kiosk tells the night update %r, not in-use" % k.status())
        k.tap("Large text")
        s = k.tap("Fill in a form")
        t0 = time.time()
        if s["screen"] != "form-list" or s["locale"] != "en" or not s["elderly"]:
            raise Failure("expected the form list in English, large text")
        s = k.wait(lambda s: s["idle_prompt"], 30, "还在吗？")
        waited = time.time() - t0
        if not 19.0 <= waited <= 22.0:
            raise Failure("还在吗？ came after %.1f s, not after idle_seconds = 20" % waited)
        log("还在吗？ after %.1f s without a touch (idle_seconds = 20)" % waited)
        # The countdown moves on screen every second with nobody touching anything.
        seen = []
        end = time.time() + 3.6
        while time.time() < end:
            v = k.state()["idle_seconds_left"]
            if not seen or seen[-1][1] != v:
                seen.append((time.time(), v))
            time.sleep(0.05)
        values = [v for _, v in seen]
        if len(values) < 3 or any(b != a - 1 for a, b in zip(values, values[1:])):
            raise Failure("the 还在吗？ countdown showed %s in 3.6 s" % values)
        log("还在吗？ counted down %s, one a second" % values)
        s = k.wait(lambda s: s["screen"] == "attract", 25, "the start screen after the countdown")
        if s["locale"] != "zh-cn" or s["elderly"]:
            raise Failure("the next resident inherited %s / large text %s" % (s["locale"], s["elderly"]))
        log("the next resident starts in zh-cn without 长辈模式")
        k.settle()
        if k.status() != "between-residents":
            raise Failure("after the visit ended the kiosk tells the night update %r, not between-residents" % k.status())
        log("the status file for the night update: between-residents → in-use → between-residents")
        # The PIN lock's seconds count down too.
        k.tap_quickly("__admin_corner", 5)
        for _ in range(5):
            k.tap("1")
            k.tap("完成")
        s = k.wait(lambda s: any("秒后再试" in t["text"] for t in s["texts"]), 10, "the PIN lock message")
        def lock_text(s):
            return next(t["text"] for t in s["texts"] if "秒后再试" in t["text"])
        first = lock_text(s)
        time.sleep(2.2)
        second = lock_text(k.state())
        if first == second:
            raise Failure("the PIN lock stayed at %r" % first)
        log("the PIN lock counted down: %r → %r" % (first, second))
        k.tap("取消")
        # The clock turns at the minute with nobody touching the kiosk.
        now = time.time()
        boundary = (int(now) // 60 + 1) * 60
        time.sleep(max(0, boundary - now) + 1.5)
        expected = time.strftime("%H:%M", time.localtime(boundary))
        clock = k.state()["clock"]
        if not clock.endswith(expected):
            raise Failure("1.5 s after %s the clock shows %s" % (expected, clock))
        log("the clock shows %s 1.5 s after the minute turned" % clock)
    finally:
        k.stop()


def closed_now():
    """Opening hours that do not include this minute (local time): the kiosk is closed now."""
    hour = time.localtime().tm_hour
    return "%02d:00-%02d:00" % ((hour + 2, hour + 3) if hour < 20 else (1, 2))


def scenario_x11_dark_and_wake(bins, tmp):
    """After closing, the untouched start screen goes dark; a finger through the display server wakes it, and
    that touch only wakes it (it starts nothing); untouched, it goes dark again."""
    k = Kiosk(bins, tmp, idle_seconds=20, opening_hours=closed_now())
    try:
        k.start(dict(os.environ))
        # Started after closing time with nobody at it (a reboot, a night update): dark at once.
        s = k.wait(lambda s: s["asleep"], 35, "the dark screen after closing time")
        if s["targets"]:
            raise Failure("the dark screen offers targets: %s" % [t["label"] for t in s["targets"]])
        if k.status() != "between-residents":
            raise Failure("asleep, the kiosk tells the night update %r" % k.status())
        log("dark outside opening hours %s" % closed_now())
        # A touch on the middle of the dark screen, where "Fill in a form" would be: it wakes the screen only.
        wx, wy = s["window"]["position"]
        ww, wh = s["window"]["size"]
        before = s["frame"]
        k.xdotool("mousemove", wx + ww // 2, wy + wh // 2, "sleep", 0.02, "mousedown", 1, "sleep", 0.05, "mouseup", 1)
        s = k.wait(lambda s: s["frame"] > before and not s["asleep"], 10, "the screen waking at a touch")
        woke = time.time()
        s = k.settle()
        if s["screen"] != "attract" or s["asleep"]:
            raise Failure("the waking touch did more than wake: screen %s, asleep %s" % (s["screen"], s["asleep"]))
        log("a touch through the display server woke it to the start screen")
        k.wait(lambda s: s["asleep"], 35, "the dark screen again with nobody touching")
        waited = time.time() - woke
        if not 18.0 <= waited <= 25.0:
            raise Failure("dark again %.1f s after the waking touch, not after idle_seconds = 20" % waited)
        log("untouched, it went dark again after %.1f s (idle_seconds = 20)" % waited)
    finally:
        k.stop()


def scenario_x11_size(bins, tmp, width, height):
    """X11 without a window manager on a screen that is not 1920×1080: the full-screen kiosk fills it exactly
    (it stayed 1920×1080, partly off-screen, on a 1280×720 screen), the screen matches the headless render,
    and a tap lands where the button is."""
    x = Xvfb(width, height)
    xenv = dict(os.environ, DISPLAY=x.display)
    k = Kiosk(bins, tmp)
    try:
        k.start(xenv)
        s = k.wait(lambda s: s["window"]["size"] == [width, height] and s["panel"]["device"] == [width, height], 20,
                   "the kiosk filling the %dx%d screen" % (width, height))
        if s["window"]["position"] != [0, 0]:
            raise Failure("the full-screen window sits at %s, not 0,0" % s["window"]["position"])
        k.settle(quiet=1.0)
        from PIL import ImageGrab
        shot = os.path.join(tmp, "x11.png")
        ImageGrab.grab(xdisplay=x.display).save(shot)
        ref = headless_render(bins, tmp, width, height, "attract-zh-cn")
        diff = differing_fraction(shot, ref)
        if os.environ.get("MINYI_KEEP_SHOTS"):
            shutil.copy(shot, os.path.join(os.environ["MINYI_KEEP_SHOTS"], "x11-%dx%d.png" % (width, height)))
        if diff is None or diff > 0.03:
            raise Failure("the X11 screen differs from the headless render in %s of its pixels" % diff)
        log("X11 %dx%d without a window manager: the kiosk fills the screen at 0,0; %.2f %% of pixels differ from the headless render"
            % (width, height, diff * 100))
        s = k.tap("填写问卷")
        if s["screen"] != "form-list":
            raise Failure("a tap on 填写问卷 led to %s" % s["screen"])
    finally:
        k.stop()
        x.close()


def cage_env(user, display, tmp, backends):
    runtime = os.path.join(tmp, "xdg-runtime")
    os.makedirs(runtime, exist_ok=True)
    if user:
        import pwd
        pw = pwd.getpwnam(user)
        os.chown(runtime, pw.pw_uid, pw.pw_gid)
    os.chmod(runtime, 0o700)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": tmp, "XDG_RUNTIME_DIR": runtime,
           "WLR_BACKENDS": backends, "WLR_RENDERER": "pixman", "WLR_LIBINPUT_NO_DEVICES": "1", "SDL_VIDEODRIVER": "wayland"}
    if display:
        env["DISPLAY"] = display
    return env, runtime


def as_user(user, env):
    prefix = ["runuser", "-u", user, "--"] if user else []
    return prefix + ["env"] + ["%s=%s" % kv for kv in sorted(env.items())]


def grim(user, env, runtime, out):
    sockets = [n for n in os.listdir(runtime) if n.startswith("wayland-") and not n.endswith(".lock")]
    if not sockets:
        raise Failure("cage made no Wayland socket in " + runtime)
    e = dict(env, WAYLAND_DISPLAY=sockets[0])
    run(as_user(user, e) + ["grim", out])


def headless_render(bins, tmp, width, height, name):
    out = os.path.join(tmp, "headless")
    run([bins["screens"], "--out", out, "--sizes", "%dx%d" % (width, height), "--only", name,
         "--assets", bins["assets"], "--fonts", bins["fonts"], "--source", bins["source"]])
    folder = out if (width, height) == (1920, 1080) else os.path.join(out, "%dx%d" % (width, height))
    return os.path.join(folder, name + ".png")


def scenario_cage(bins, tmp, width, height):
    user = scratch_user() if os.geteuid() == 0 else None
    copy = readable_copy(bins, tmp) if user else bins
    server = Server(bins, tmp)
    x = Xvfb(width, height)
    xenv = dict(os.environ, DISPLAY=x.display)
    env, runtime = cage_env(user, x.display, tmp, "x11")
    k = Kiosk(copy, tmp, user=user, server=server)
    go = os.path.join(runtime, "go")
    # cage runs the kiosk once its output has the panel's size, as at boot: cage's output here is an X11
    # window in this Xvfb, made at 1024×768 and then given the panel's size as a monitor's mode would be.
    wait_then = ["sh", "-c", 'while [ ! -e "%s" ]; do sleep 0.05; done; exec "$0" "$@"' % go]
    try:
        starter = threading.Thread(target=lambda: k.start(xenv, prefix=as_user(user, env) + ["cage", "--"] + wait_then))
        starter.start()
        wid = None
        for _ in range(200):
            tree = subprocess.run(["xwininfo", "-root", "-children"], env=xenv, capture_output=True, text=True).stdout
            ids = [line.split()[0] for line in tree.splitlines() if line.strip().startswith("0x")]
            if ids:
                wid = ids[0]
                break
            time.sleep(0.05)
        if not wid:
            raise Failure("no cage output window in " + x.display)
        run(["xdotool", "windowmove", wid, 0, 0, "windowsize", wid, width, height], env=xenv)
        time.sleep(0.5)
        open(go, "w").close()
        starter.join()
        s = k.wait(lambda s: s["panel"]["device"] == [width, height] and s["window"]["size"] == [width, height], 20,
                   "the kiosk full screen at %dx%d" % (width, height))
        log("under cage the kiosk draws on %dx%d (layout %s, ratio %d)" % (width, height, s["panel"]["layout"], s["panel"]["ratio"]))

        def compare(w, h):
            k.settle(quiet=1.0)
            shot = os.path.join(runtime, "cage.png")
            grim(user, env, runtime, shot)
            if png_size(shot) != (w, h):
                raise Failure("grim's screenshot is %s, not %dx%d" % (png_size(shot), w, h))
            ref = headless_render(copy, tmp, w, h, "attract-zh-cn")
            diff = differing_fraction(shot, ref)
            if os.environ.get("MINYI_KEEP_SHOTS"):
                shutil.copy(shot, os.path.join(os.environ["MINYI_KEEP_SHOTS"], "cage-%dx%d.png" % (w, h)))
                shutil.copy(ref, os.path.join(os.environ["MINYI_KEEP_SHOTS"], "headless-%dx%d.png" % (w, h)))
            if diff is None or diff > 0.03:
                raise Failure("the screen under cage differs from the headless render in %s of its pixels" % diff)
            log("grim's screenshot at %dx%d matches the headless render of the start screen (%.2f %% of pixels differ)" % (w, h, diff * 100))

        compare(width, height)
        s = k.tap("填写问卷")
        if s["screen"] != "form-list":
            raise Failure("a tap on 填写问卷 under cage led to %s" % s["screen"])
        log("a tap on 填写问卷 through cage opens the form list")
        k.tap("返回首页")
        for keys in (["Escape"], ["alt+F4"], ["ctrl+q"], ["ctrl+w"], ["ctrl+alt+BackSpace"], ["super+q"], ["alt+Tab"]):
            k.keys(*keys)
        time.sleep(1.5)
        if not k.alive():
            raise Failure("a key ended the kiosk or cage:\n" + k.log_text())
        log("Escape, Alt+F4, Ctrl+Q, Ctrl+W, Ctrl+Alt+Backspace, Super+Q, Alt+Tab: the kiosk and cage stay")
        # Strokes and drags as Wayland pointer events (cage turns the X11 window's into them).
        strokes_and_scroll(k, server, bins["source"], must_scroll=width > height)
        # The panel turned (or another monitor): the kiosk follows the output's new size.
        run(["xdotool", "windowsize", wid, height, width], env=xenv)
        k.wait(lambda s: s["panel"]["device"] == [height, width], 20, "the kiosk at the turned size %dx%d" % (height, width))
        compare(height, width)
        # cage dies: the kiosk does not linger without a display, it ends (its session starts both again).
        # Only this test's cage and kiosk: the process group the kiosk was started in (another test's cage
        # may run beside this one as the same user).
        if user:
            group = str(os.getpgid(k.proc.pid))
            for name in ("cage", "minyi-kiosk"):
                if subprocess.run(["pgrep", "-g", group, "-x", name], capture_output=True).returncode != 0:
                    raise Failure("no %s in the kiosk's process group %s" % (name, group))
            subprocess.run(["pkill", "-KILL", "-g", group, "-x", "cage"])
            for _ in range(100):
                if subprocess.run(["pgrep", "-g", group, "-x", "minyi-kiosk"], capture_output=True).returncode != 0:
                    break
                time.sleep(0.1)
            else:
                raise Failure("the kiosk kept running for 10 s after cage was killed")
            log("cage killed: the kiosk ended by itself (%s)" % k.log_text().strip().splitlines()[-1])
    finally:
        k.stop()
        x.close()
        server.close()


def scenario_cage_headless(bins, tmp):
    """cage's own headless backend (a 1280×720 output, as on a panel whose mode cage picks): the kiosk's
    buffers are the output's size and nothing scales them. grim cannot check this one: cage scans a
    full-screen client's buffer out directly, and screencopy of the headless output then reads black; so the
    Wayland protocol itself is read (WAYLAND_DEBUG): every buffer the kiosk attaches is 1280×720, and no
    viewport stretches it (the bug: a buffer made for 1920×1080, the clock and the right column cropped)."""
    user = scratch_user() if os.geteuid() == 0 else None
    copy = readable_copy(bins, tmp) if user else bins
    env, runtime = cage_env(user, None, tmp, "headless")
    env["WAYLAND_DEBUG"] = "client"
    k = Kiosk(copy, tmp, user=user)
    try:
        k.start(dict(os.environ), prefix=as_user(user, env) + ["cage", "--"])
        s = k.wait(lambda s: s["panel"]["device"] == [1280, 720] and s["window"]["size"] == [1280, 720], 20, "the kiosk at cage's 1280x720")
        k.settle(quiet=1.0)
        protocol = k.log_text()
        buffers = re.findall(r"create_buffer\(new id wl_buffer@\d+, \d+, (\d+), (\d+),", protocol)
        stretched = re.findall(r"wp_viewport@\d+\.set_destination\((-?\d+), (-?\d+)\)", protocol)
        if not buffers:
            raise Failure("no buffer attached by the kiosk under cage:\n" + protocol[-3000:])
        wrong = [b for b in buffers if b != ("1280", "720")] + [v for v in stretched if v not in (("1280", "720"), ("-1", "-1"))]
        if wrong:
            raise Failure("under cage at 1280x720 the kiosk drew buffers or viewports of %s" % wrong)
        log("cage headless 1280x720: the kiosk lays out at %s and attaches %d buffers, all 1280x720, none stretched"
            % (s["panel"]["layout"], len(buffers)))
    finally:
        k.stop()


def scenario_persona(bins, tmp):
    """An elderly resident: 长辈模式, the hallway-light complaint written by hand (大厅不亮。), the code read back."""
    server = Server(bins, tmp)
    k = Kiosk(bins, tmp, server=server)
    try:
        k.start(dict(os.environ))
        t0 = time.time()
        k.tap("长辈模式")
        code = file_complaint_by_hand(k, bins["source"], "大厅不亮")
        k.tap("完成")
        s = k.tap("查询进度")
        if not s.get("keyboard"):
            raise Failure("查询进度 did not open its keyboard")
        for ch in code.replace("-", ""):
            k.tap(ch.lower() if ch.isalpha() else ch)
        s = k.tap("完成")
        if not k.shows("已受理", s):
            raise Failure("查询进度 of %s does not show 已受理" % code)
        seconds = time.time() - t0
        touches = k.taps + k.strokes
        log("PERSONA: complaint filed in 长辈模式 by hand and read back at 查询进度: %d touches (%d taps, %d strokes), %.0f s"
            % (touches, k.taps, k.strokes, seconds))
        if touches >= 80:
            raise Failure("%d touches: not fewer than the 80 of before" % touches)
        server.wait_for("complaint", lambda r: "大厅不亮。" in " ".join(r.values()))
    finally:
        k.stop()
        server.close()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("scenario")
    p.add_argument("size", nargs="*", type=int)
    for name in ("kiosk", "screens", "server", "minyi", "assets", "fonts", "source"):
        p.add_argument("--" + name, required=True)
    a = p.parse_args()
    bins = {n: os.path.abspath(getattr(a, n)) for n in ("kiosk", "screens", "server", "minyi", "assets", "fonts", "source")}
    tmp = tempfile.mkdtemp(prefix="minyi-real-")
    os.chmod(tmp, 0o755)
    try:
        if a.scenario in ("x11-strokes-and-scroll", "x11-time-and-reset", "x11-dark-and-wake", "persona") and "DISPLAY" not in os.environ:
            # The common landscape panel, as a desktop session would have it; close_all() ends it.
            os.environ["DISPLAY"] = Xvfb(1920, 1080).display
        if a.scenario == "x11-strokes-and-scroll":
            scenario_x11_strokes_and_scroll(bins, tmp)
        elif a.scenario == "x11-time-and-reset":
            scenario_x11_time_and_reset(bins, tmp)
        elif a.scenario == "x11-dark-and-wake":
            scenario_x11_dark_and_wake(bins, tmp)
        elif a.scenario == "x11-size":
            scenario_x11_size(bins, tmp, a.size[0], a.size[1])
        elif a.scenario == "cage":
            scenario_cage(bins, tmp, a.size[0], a.size[1])
        elif a.scenario == "cage-headless":
            scenario_cage_headless(bins, tmp)
        elif a.scenario == "persona":
            scenario_persona(bins, tmp)
        else:
            raise Failure("no scenario " + a.scenario)
        log("OK:", a.scenario, *a.size)
    except Failure as e:
        log("FAIL:", e)
        sys.exit(1)
    finally:
        close_all()  # what a failure left running (the scenarios close their own on success)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
