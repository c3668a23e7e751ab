#!/usr/bin/env bash
# Kiosk lock, in a real window under Xvfb: in kiosk mode Escape and Alt+F4 do not end minyi-kiosk.
# Usage (CTest runs it): xvfb-run -a kiosk_lock_test.sh path/to/minyi-kiosk
set -euo pipefail
kiosk="$1"
tmp="$(mktemp -d)"
pid=""
cleanup() { [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
"$kiosk" --database "$tmp/kiosk.db" >"$tmp/log" 2>&1 &
pid=$!
wid=""
# Up to 60 s: with an empty cache folder the first start builds the font atlas, and CI runs this beside
# other tests on two cores (a 10 s wait once failed there while the kiosk was still starting).
for _ in $(seq 600); do
  wid="$(xdotool search --onlyvisible --name 'Minyi' 2>/dev/null | tail -n 1 || true)"
  [ -n "$wid" ] && break
  kill -0 "$pid" 2>/dev/null || { echo "FAIL: the kiosk ended while starting"; cat "$tmp/log"; exit 1; }
  sleep 0.1
done
if [ -z "$wid" ]; then
  echo "FAIL: no kiosk window appeared in 60 s"
  echo "windows on $DISPLAY:"; xdotool search --name '.' getwindowname %@ 2>&1 || true
  cat "$tmp/log"; exit 1
fi
sleep 1
# Real key presses (XTEST) to the focused kiosk window, as from a keyboard plugged into the kiosk.
xdotool windowfocus --sync "$wid" 2>/dev/null || true
for key in Escape alt+F4 ctrl+q ctrl+w; do
  xdotool key "$key"
done
sleep 1.5
if ! kill -0 "$pid" 2>/dev/null; then
  echo "FAIL: the kiosk ended after Escape / Alt+F4 / Ctrl+Q / Ctrl+W"
  cat "$tmp/log"
  exit 1
fi
# SIGTERM (systemd, cage) still stops it.
kill -TERM "$pid"
for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$pid" 2>/dev/null; then echo "FAIL: SIGTERM did not stop the kiosk"; exit 1; fi
pid=""
echo "OK: kiosk mode ignores Escape, Alt+F4, Ctrl+Q, Ctrl+W; SIGTERM stops it"
