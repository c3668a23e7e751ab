#!/usr/bin/env bash
# Developer entry point: installs missing Debian packages, builds, then runs the product (`run`) or the suite (`test`).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="${MINYI_BUILD_DIR:-$ROOT/build}"

# Everything the build and the tests need, as Debian 12 packages (DESIGN.md §4).
PACKAGES=(cmake g++ ninja-build ccache pkg-config nlohmann-json3-dev libcli11-dev catch2 libsodium-dev python3-fonttools
          libsdl2-dev libimgui-dev libfreetype-dev libstb-dev libsqlite3-dev libtomlplusplus-dev
          libcpp-httplib-dev libssl-dev zlib1g-dev libbrotli-dev openssl libcurl4-openssl-dev libqrencode-dev zbar-tools
          libxlsxwriter-dev libopencc-dev libopencc-data unzip xvfb xauth xdotool chromium tzdata
          librime-dev rime-data-pinyin-simp libzinnia-dev tegaki-zinnia-simplified-chinese
          cage xwayland grim x11-utils python3-pil nginx libsystemd-dev systemd
          dpkg-dev lintian mmdebstrap systemd-container reprepro gnupg)
# The dashboard's browser test (tests/dashboard): Node.js and npm. Asked for by command, not by package: a
# machine with NodeSource's nodejs has npm inside it, and that package conflicts with Debian's npm.
NODE_PACKAGES=(nodejs npm)
# Only for ./deploy/dev.sh fuzz (libFuzzer comes with clang).
FUZZ_PACKAGES=(clang libclang-rt-14-dev)

log() { printf '==> %s\n' "$*"; }

ensure_packages() {
  local missing=() p
  for p in "${PACKAGES[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then missing+=("${NODE_PACKAGES[@]}"); fi
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  log "installing: ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

build() {
  # $1: build dir, rest: extra CMake options
  local dir="$1"; shift
  export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
  # Paths below the checkout are hashed relative to it: a fresh clone elsewhere (CI's) reuses what any
  # other checkout compiled.
  export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$ROOT}" CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"
  # Flags that only turn warnings into errors (or silence false ones) make the same object code: left out of
  # ccache's hash, turning them on does not compile everything again. A changed file is compiled with them.
  export CCACHE_IGNOREOPTIONS="${CCACHE_IGNOREOPTIONS:--Werror -Wno-maybe-uninitialized}"
  cmake -S "$ROOT" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
  cmake --build "$dir" -j2
}

cmd_run() {
  ensure_packages
  build "$BUILD"
  local minyi="$BUILD/sync/cli/minyi" server="$BUILD/sync/server/minyi-server" kiosk="$BUILD/kiosk/app/minyi-kiosk"
  log "checking every shipped form"
  "$minyi" form check "$ROOT"/assets/forms/*.json
  log "a scripted fill of the civilized-city satisfaction form (deploy/demo/civilized-city-answers.json)"
  "$minyi" form fill "$ROOT/assets/forms/civilized-city.json" \
    --answers "@$ROOT/deploy/demo/civilized-city-answers.json" --locale zh-cn --trace >/dev/null

  # A township server on loopback with its embedded SQLite and demo data, made once in build/dev and kept
  # between runs: the shipped forms, a kiosk per site, notices, 3,000 realistic submissions, the account admin.
  local dev="$BUILD/dev" port="${MINYI_DEV_PORT:-18080}" password="minyi-demo-2468"
  mkdir -p "$dev"
  if [ ! -f "$dev/data/server.key" ]; then
    log "first run: demo data for the township server in $dev/data"
    echo "$password" | "$minyi" demo --data "$dev/data" --admin-password-stdin --submissions 3000 | grep -v '^demo login' \
      | tee "$dev/demo.out" || true
  fi
  printf '[server]\nlisten = "127.0.0.1"\nport = %s\n[storage]\ndata_dir = "%s"\n[keys]\nkey_pair = "%s"\n[tickets]\nholidays = ["%s"]\n' \
    "$port" "$dev/data" "$dev/data/server.key" "$ROOT/deploy/holidays-2026.toml" >"$dev/server.toml"
  log "starting minyi-server on http://127.0.0.1:$port"
  "$server" --config "$dev/server.toml" >"$dev/server.out" 2>"$dev/server.log" &
  local server_pid=$!
  trap "kill $server_pid 2>/dev/null; wait $server_pid 2>/dev/null" EXIT
  local i
  for i in $(seq 50); do grep -q listening "$dev/server.out" 2>/dev/null && break; sleep 0.1; done
  if ! grep -q listening "$dev/server.out"; then
    cat "$dev/server.log" >&2
    echo "minyi-server did not start (is port $port in use? set MINYI_DEV_PORT)" >&2
    exit 1
  fi

  # A local kiosk with its own config and database, enrolled once with a one-time code, as IT would by script.
  mkdir -p "$dev/kiosk" "$dev/usb"
  local pin_hash
  pin_hash="$(echo 2468 | "$minyi" pin-hash)"
  printf '[site]\nid = "donghu-dqfwzx"\nname = "东湖社区党群服务中心"\n[storage]\ndatabase = "kiosk.db"\n[kiosk]\nforms_folder = "%s"\n[admin]\npin_hash = "%s"\n[server]\nurl = "http://127.0.0.1:%s"\npublic_key = "%s"\n' \
    "$ROOT/assets/forms" "$pin_hash" "$port" "$(cat "$dev/data/server.pub")" >"$dev/kiosk/kiosk.toml"
  # As at install: the pinyin engine's schemas deployed into the kiosk's own folder (kiosk/rime), so the
  # kiosk's own start only checks them (docs/text-input.md).
  "$kiosk" --config "$dev/kiosk/kiosk.toml" --prepare-input
  if [ ! -f "$dev/kiosk/enrolled" ]; then
    local code
    code="$("$minyi" device add --data "$dev/data" --site donghu-dqfwzx --name "dev kiosk" | sed -n 's/.*enrollment code: //p')"
    log "enrolling the local kiosk with the one-time code $code"
    SDL_VIDEODRIVER=dummy "$kiosk" --config "$dev/kiosk/kiosk.toml" --enroll "$code" && touch "$dev/kiosk/enrolled"
  fi
  log "staff dashboard: http://127.0.0.1:$port/staff/  (demo login: admin / $password)"
  log "kiosk admin panel: five taps on the top-left corner, PIN 2468"
  local ticket_page
  ticket_page="$(sed -n 's/^a resident.s ticket page[^:]*: //p' "$dev/demo.out" 2>/dev/null || true)"
  [ -n "$ticket_page" ] && log "a resident's ticket page, as its QR code opens it: http://127.0.0.1:$port$ticket_page"
  if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    log "opening the kiosk in a 1280x720 window (close the window to stop the kiosk and the server)"
    "$kiosk" --config "$dev/kiosk/kiosk.toml" --windowed 1280x720 --export-dir "$dev/usb"
  else
    log "no display, so the kiosk was not opened. In another terminal, try one of:"
    echo "    xvfb-run -s '-screen 0 1920x1080x24' $kiosk --config $dev/kiosk/kiosk.toml --windowed 1920x1080"
    echo "    $BUILD/tests/ui/minyi-kiosk-screens --out /tmp/minyi-screens    # a PNG of every screen"
    log "the server runs until Ctrl-C"
    wait "$server_pid"
  fi
}

run_sanitized_suite() {
  build "$ROOT/build-asan" -DMINYI_SANITIZE=ON -DMINYI_WERROR=ON
  log "running the test suite under AddressSanitizer + UndefinedBehaviorSanitizer"
  # The "system" tests (whole processes on real displays) run once, in the plain pass.
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir "$ROOT/build-asan" --output-on-failure -j2 --timeout 900 -LE system
}

# Playwright for the dashboard's browser test, exactly as package-lock.json pins it (Chromium is Debian's).
ensure_dashboard_test_deps() {
  if [ ! -d "$ROOT/tests/dashboard/node_modules/playwright-core" ]; then
    log "npm ci in tests/dashboard"
    (cd "$ROOT/tests/dashboard" && npm ci --no-audit --no-fund >/dev/null)
  fi
}

# The whole suite, then the same suite once more under the sanitizers (memory errors fail CI too).
cmd_test() {
  ensure_packages
  ensure_dashboard_test_deps
  # Warnings are errors here (and so in CI): a warning is fixed when it appears, not collected.
  build "$BUILD" -DMINYI_WERROR=ON
  log "running the test suite"
  ctest --test-dir "$BUILD" --output-on-failure -j2 --timeout 600
  run_sanitized_suite
}

# Only the sanitized suite (docs/development.md).
cmd_sanitize() {
  ensure_packages
  ensure_dashboard_test_deps
  run_sanitized_suite
}

# libFuzzer targets (clang): ./deploy/dev.sh fuzz [seconds per target, default 120]
cmd_fuzz() {
  ensure_packages "${FUZZ_PACKAGES[@]}"
  local secs="${1:-120}"
  build "$ROOT/build-fuzz" -DMINYI_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ -DBUILD_TESTING=ON
  local t
  for t in fuzz_form_loader fuzz_expression fuzz_server_request; do
    log "fuzzing $t for ${secs}s"
    mkdir -p "$ROOT/build-fuzz/corpus/$t"
    "$ROOT/build-fuzz/tests/fuzz/$t" -max_total_time="$secs" -max_len=65536 -print_final_stats=1 \
      "$ROOT/build-fuzz/corpus/$t" "$ROOT/tests/fuzz/corpus/$t"
  done
}

case "${1:-}" in
  run) cmd_run ;;
  test) cmd_test ;;
  sanitize) cmd_sanitize ;;
  fuzz) shift; cmd_fuzz "$@" ;;
  *) echo "usage: $0 run|test|sanitize|fuzz [seconds]" >&2; exit 2 ;;
esac
