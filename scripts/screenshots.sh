#!/usr/bin/env bash
# Remakes the PNG screenshots in screenshots/ from the real terminal UI.
#
# It builds the release binary and runs the UI in tmux at a fixed size on the
# sample data, each store in a temporary directory, with colours on. It sends keys
# to reach each state and captures the screen with its ANSI colours. Then
# scripts/ansi2html.py turns each capture into HTML, and headless Chromium renders
# the page to PNG.
#
#   scripts/screenshots.sh            # writes screenshots/*.png
#   scripts/screenshots.sh OUT_DIR    # writes them to OUT_DIR instead
#
# Needs tmux, Chromium, the DejaVu fonts, Python 3 and cargo. On Debian or Ubuntu
# the first three are installed with apt-get when missing (as root, or with sudo).
set -euo pipefail

COLS=120
ROWS=36
# Seconds to wait for the UI to reach a state before giving up.
WAIT_SECONDS=20

repo=$(cd "$(dirname "$0")/.." && pwd)
out_dir=${1:-"$repo/screenshots"}

fail() {
    echo "screenshots.sh: $*" >&2
    exit 1
}

find_chromium() {
    local name
    for name in chromium chromium-browser google-chrome; do
        if command -v "$name" >/dev/null; then
            command -v "$name"
            return
        fi
    done
}

install_missing() {
    local missing=()
    command -v tmux >/dev/null || missing+=(tmux)
    [ -n "$(find_chromium)" ] || missing+=(chromium)
    if ! command -v fc-list >/dev/null || ! fc-list "DejaVu Sans Mono" | grep -q .; then
        missing+=(fonts-dejavu-core)
    fi
    [ ${#missing[@]} -eq 0 ] && return

    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || fail "missing ${missing[*]}; install them, or run as root to let this script install them"
        sudo=(sudo)
    fi
    command -v apt-get >/dev/null || fail "missing ${missing[*]} and no apt-get to install them; install them by hand"
    echo "installing ${missing[*]}" >&2
    "${sudo[@]}" apt-get update
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
}

install_missing
command -v python3 >/dev/null || fail "python3 not found; install Python 3"
command -v cargo >/dev/null || fail "cargo not found; install the Rust toolchain"
chromium=$(find_chromium)

echo "building the release binary" >&2
(cd "$repo" && cargo build --release --locked --quiet)
binary="$repo/target/release/webhook-dedup"
[ -x "$binary" ] || fail "the build left no binary at $binary"

work=$(mktemp -d)
socket="webhook-dedup-shots-$$"
cleanup() {
    tmux -L "$socket" kill-server >/dev/null 2>&1 || true
    # tmux leaves the socket file of a server that has ended.
    rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$socket"
    rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$out_dir"
# No status line, so the UI gets every row; a pane whose program exits stays, so
# an error message can be read.
printf 'set -g status off\nset -g remain-on-exit on\nset -g default-terminal tmux-256color\n' >"$work/tmux.conf"

# session_dir NAME: makes the directory session NAME runs in, with a copy of the
# sample data, so that the UI's header shows short names, not temporary paths.
session_dir() {
    local dir="$work/$1"
    mkdir -p "$dir/sample-data"
    cp "$repo"/sample-data/{worked-example,overlap,large-10k}.json "$dir/sample-data/"
    echo "$dir"
}

# start_ui NAME EVENTS: runs the UI on EVENTS (a path in the sample data) in a new
# tmux session NAME, with the default store, processed_events.txt, in the
# session's directory.
start_ui() {
    local name=$1 events=$2
    local dir command
    dir=$(session_dir "$name")
    command=$(printf 'cd %q && exec env -u NO_COLOR %q %q' "$dir" "$binary" "$events")
    # The configuration is read when the server starts, with the first session.
    tmux -L "$socket" -f "$work/tmux.conf" new-session -d -s "$name" -x "$COLS" -y "$ROWS" "$command"
}

# wait_for NAME TEXT: waits until the screen of session NAME shows TEXT.
wait_for() {
    local name=$1 text=$2 deadline=$((SECONDS + WAIT_SECONDS))
    while ! tmux -L "$socket" capture-pane -t "$name" -p | grep -qF -- "$text"; do
        if [ "$SECONDS" -ge "$deadline" ]; then
            echo "the screen of $name never showed \"$text\"; it shows:" >&2
            tmux -L "$socket" capture-pane -t "$name" -p >&2
            fail "timed out after $WAIT_SECONDS s"
        fi
        sleep 0.1
    done
    # Let the frame that showed the text finish drawing.
    sleep 0.3
}

# shoot NAME FILE: captures session NAME and renders it to FILE.png in the output directory.
shoot() {
    local name=$1 file=$2
    local capture="$work/$file.ansi" page="$work/$file.html" size
    tmux -L "$socket" capture-pane -t "$name" -e -p >"$capture"
    size=$(python3 "$repo/scripts/ansi2html.py" --cols "$COLS" --rows "$ROWS" --title "webhook-dedup: $file" "$capture" "$page")
    local sandbox=()
    # Chromium refuses to run as root inside its sandbox.
    [ "$(id -u)" -eq 0 ] && sandbox=(--no-sandbox)
    "$chromium" --headless "${sandbox[@]}" --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --hide-scrollbars --force-device-scale-factor=1 \
        --user-data-dir="$(mktemp -d -p "$work")" \
        --screenshot="$out_dir/$file.png" --window-size="$size" "file://$page" \
        >"$work/$file.chromium.log" 2>&1 ||
        { cat "$work/$file.chromium.log" >&2; fail "Chromium could not render $page"; }
    [ -s "$out_dir/$file.png" ] || fail "Chromium wrote no $out_dir/$file.png; see its log above"
    echo "wrote $out_dir/$file.png" >&2
}

# quit NAME: quits the UI in session NAME and closes the session.
quit() {
    local name=$1 deadline=$((SECONDS + WAIT_SECONDS))
    tmux -L "$socket" send-keys -t "$name" q
    while [ "$(tmux -L "$socket" display-message -p -t "$name" '#{pane_dead}')" != 1 ]; do
        [ "$SECONDS" -lt "$deadline" ] || fail "the UI in $name did not quit"
        sleep 0.1
    done
    tmux -L "$socket" kill-session -t "$name"
}

# The worked example just opened, then its help overlay.
start_ui worked sample-data/worked-example.json
wait_for worked "0/3 stepped"
shoot worked start
tmux -L "$socket" send-keys -t worked '?'
wait_for worked "Help:"
shoot worked help
tmux -L "$socket" send-keys -t worked '?'
quit worked

# The 10,000-event batch, 300 steps in.
start_ui large sample-data/large-10k.json
wait_for large "0/10,000 stepped"
tmux -L "$socket" send-keys -t large -N 300 l
wait_for large "300/10,000 stepped"
shoot large mid-run
quit large

# The second batch on the store the worked example left: after six steps the
# selection is on evt_004's redelivery, whose refund amount differs.
dir=$(session_dir overlap)
(cd "$dir" && "$binary" --headless sample-data/worked-example.json >/dev/null 2>&1) ||
    fail "the headless run that fills the store failed"
start_ui overlap sample-data/overlap.json
wait_for overlap "0/7 stepped"
tmux -L "$socket" send-keys -t overlap -N 6 l
wait_for overlap "6/7 stepped"
shoot overlap duplicate-detail
quit overlap
