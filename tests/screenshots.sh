#!/usr/bin/env bash
# Screenshots of the operator's pages (/, every /sources/<id>, the
# articles linked from /, a 404) and of the styled feed (/feed.atom), at
# 1400 px and 400 px wide, in light and in dark mode, with headless
# Chromium: to look at the pages the way operators will. Not run by CI;
# it needs chromium (or google-chrome) and curl, and python3 for the demo.
#
#   tests/screenshots.sh                 # a demo: the fixture site polled by a fresh daemon
#   tests/screenshots.sh BASE_URL [OUT]  # a running muniflux, e.g. http://127.0.0.1:8080
#
# The PNGs go to OUT (default target/screenshots), named
# <page>-<width>-<light|dark>.png.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
out=${2:-$repo/target/screenshots}
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [[ -z $browser ]]; then
    echo "no chromium found; install it (apt-get install chromium) to take screenshots" >&2
    exit 0
fi
mkdir -p "$out"
work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

# A free port on 127.0.0.1.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

if [[ $# -ge 1 ]]; then
    base=${1%/}
else
    # The demo: the fixture site served as files, a feed, a list page and
    # a source that fails, polled once by a daemon on a fresh database.
    (cd "$repo" && cargo build --quiet --bin muniflux)
    site_port=$(free_port)
    port=$(free_port)
    (cd "$repo/tests/fixtures/site" && exec python3 -m http.server "$site_port" --bind 127.0.0.1) \
        >/dev/null 2>&1 &
    pids+=($!)
    site="http://127.0.0.1:$site_port"
    for _ in $(seq 50); do
        curl -fsS -o /dev/null "$site/robots.txt" 2>/dev/null && break
        sleep 0.1
    done
    cat >"$work/sources.toml" <<TOML
[[source]]
name = "Exempelby kommun – nyheter"
url = "$site/nyheter/"
tags = ["exempelby", "näringsliv"]

[[source]]
name = "Exempelby RSS"
url = "$site/feed.xml"
tags = ["exempelby"]
include = ["företag"]

[[source]]
name = "Trasig källa"
url = "$site/finns-inte/"
tags = ["trasig"]
TOML
    cat >"$work/muniflux.toml" <<TOML
database = "$work/muniflux.db"
sources = "$work/sources.toml"

[feed]
title = "Kommunnyheter (demo)"

[poll]
interval = "30m"
host_delay = "0s"
user_agent = "muniflux-screenshots (+https://github.com/muniflux/muniflux)"

[server]
listen = "127.0.0.1:$port"
TOML
    "$repo/target/debug/muniflux" -c "$work/muniflux.toml" run 2>"$work/muniflux.log" &
    pids+=($!)
    base="http://127.0.0.1:$port"
    for _ in $(seq 100); do
        grep -q "poll round done" "$work/muniflux.log" 2>/dev/null && break
        sleep 0.2
    done
fi

# Every page: the summary, each source, each article it links, a 404,
# and the feeds as a browser shows them.
summary=$(curl -fsS "$base/")
paths=(/)
while read -r path; do paths+=("/$path"); done < <(
    grep -oE 'href="(sources|articles)/[0-9]+"' <<<"$summary" | sed -E 's/href="(.*)"/\1/' | sort -u
)
paths+=(/sources/999999 /feed.atom)
# The last source's tag: failing sources come first, so it likely has entries.
tag=$(grep -oE 'href="feeds/[^"]+\.atom"' <<<"$summary" | tail -n1 | sed -E 's/href="(.*)"/\1/')
[[ -n $tag ]] && paths+=("/$tag")

shoot() { # url file width height scheme
    local profile
    profile=$(mktemp -d)
    local dark=()
    [[ $5 == dark ]] && dark=(--force-dark-mode --blink-settings=preferredColorScheme=0)
    "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --hide-scrollbars --user-data-dir="$profile" "${dark[@]}" \
        --window-size="$3,$4" --screenshot="$2" "$1" >/dev/null 2>&1 || true
    rm -rf "$profile"
}

for path in "${paths[@]}"; do
    name=$(sed -E 's#^/$#summary#; s#^/##; s#[/.?=]+#-#g' <<<"$path")
    for width in 1400 400; do
        height=$([[ $width == 400 ]] && echo 3000 || echo 1800)
        for scheme in light dark; do
            shoot "$base$path" "$out/$name-$width-$scheme.png" "$width" "$height" "$scheme"
        done
    done
    echo "$path"
done
echo "screenshots in $out"
