#!/usr/bin/env bash
# reel serve under abuse, and names the layout must not mangle; one case per run, with the real
# binary (docs/http.md "Auth, limits, errors"):
#   slow_clients  200 connections from 127.0.0.2 each send a request line, then a byte every
#                 0.5 s (never a stall of the read timeout): 32 are held (the per-client cap on
#                 partial heads), the rest refused at once (503); a GET from 127.0.0.1 meanwhile
#                 is answered within 1 s; the 32 are closed by the head deadline (408)
#   header_flood  4 connections at a time send 4,000,000 header lines in all (48 MB), from
#                 127.0.0.3: each is cut off at the head limit (431) and the server's resident
#                 memory stays under 200 MB
#   dashed_names  stk-kart-adiumy 1.4.0, a.b-c 1.0.0-rc.1 and Kart.Base-2 2.0.0-beta.1+build.7
#                 published over reel serve, installed and verified over it; the archive URLs
#                 answer
#   basic_auth    curl with a netrc file (`machine HOST login reel password TOKEN`): Basic
#                 credentials carry the token for reads and writes
# Waits are on events (the server's log, `ss` connection counts, the helpers' output), each with
# a bounded number of retries. The helpers are python3 (Debian's, scripts/install-deps.sh).
# usage: serve_limits.sh REEL_BINARY CASE
source "$(dirname "$0")/lib.sh"
case_name=$2

PIDS=()
stop_all() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
}
trap 'stop_all; chmod -R u+w "$WORK" 2>/dev/null || true; rm -rf "$WORK"' EXIT
command -v python3 >/dev/null || fail "python3 is not installed (scripts/install-deps.sh)"
command -v ss >/dev/null || fail "ss (iproute2) is not installed (scripts/install-deps.sh)"
command -v curl >/dev/null || fail "curl is not installed (scripts/install-deps.sh)"

# serve REPO [ARGS...]: reel serve on a free port of 127.0.0.1; sets URL, PORT and SERVER_PID;
# its log is $WORK/serve.log.
serve() {
  local repo=$1
  shift
  "$REEL" serve "$repo" --bind 127.0.0.1:0 "$@" 2> "$WORK/serve.log" &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  for _ in $(seq 1 400); do  # up to 20 s
    grep -q "^serving " "$WORK/serve.log" 2>/dev/null && break
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.05
  done
  URL=$(grep -o "http://127.0.0.1:[0-9]*" "$WORK/serve.log" | head -1)
  [ -n "$URL" ] || { cat "$WORK/serve.log"; fail "reel serve did not start"; }
  PORT=${URL##*:}
}

# established SRC: client connections from address SRC to the server that are still open.
established() {
  ss -Htn state established "( src $1 and dport = :$PORT )" | wc -l
}

# wait_for TRIES WHAT CMD...: runs CMD every 0.1 s until it succeeds, at most TRIES times (CMD is
# `eval '…'` for a condition that must be expanded anew each time); else
# fails with WHAT, the state (show_state, if the case defines it) and the server log's tail.
wait_for() {
  local tries=$1 what=$2
  shift 2
  for _ in $(seq 1 "$tries"); do
    "$@" && return 0
    sleep 0.1
  done
  declare -F show_state >/dev/null && show_state
  tail -5 "$WORK/serve.log"
  fail "$what"
}

# log_count TEXT: lines of the server's log holding TEXT.
log_count() { grep -cF -- "$1" "$WORK/serve.log" || true; }

# a repo with one published package, Lamp 1.0.0 (two files).
small_repo() {
  "$REEL" -q repo init repo --name blessed >/dev/null
  "$REEL" -q init studio --repo blessed=repo >/dev/null
  mkdir -p studio/outputs/Lamp
  printf '[asset]\nname = "Lamp"\nversion = "1.0.0"\n' > studio/outputs/Lamp/asset.toml
  head -c 100000 /dev/urandom > studio/outputs/Lamp/bulb.exr
  "$REEL" -q -C studio publish Lamp --allow-dirty >/dev/null
}

case "$case_name" in
slow_clients)
  small_repo
  serve repo --head-timeout 4
  cat > slow.py <<'EOF'
# slow.py HOST PORT COUNT SRC: COUNT connections from SRC, each sending a request line at once
# and then the rest of its head a byte every 0.5 s; prints "opened N", then "closed N" as the server closes
# them; exits when all are closed (or after 120 s).
import select, socket, sys, time
host, port, count, src = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
head = b"GET /reel-repo.json HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 10000
conns = {}
for _ in range(count):
    s = socket.socket()
    s.bind((src, 0))
    s.connect((host, port))
    first = head.index(b"\r\n") + 2
    s.send(head[:first])
    conns[s.fileno()] = [s, first]
print("opened", len(conns), flush=True)
closed = 0
poller = select.poll()
for fd in conns:
    poller.register(fd, select.POLLIN)
end = time.monotonic() + 120
while conns and time.monotonic() < end:
    tick = time.monotonic() + 0.5
    while (left := tick - time.monotonic()) > 0 and conns:
        for fd, _ in poller.poll(left * 1000):
            s = conns[fd][0]
            try:
                data = s.recv(65536)
            except OSError:
                data = b""
            if not data:
                poller.unregister(fd)
                del conns[fd]
                s.close()
                closed += 1
                print("closed", closed, flush=True)
    for fd, entry in list(conns.items()):
        s, sent = entry
        try:
            s.send(head[sent:sent + 1])
            entry[1] = sent + 1
        except OSError:
            pass  # reset: the next poll sees it closed
print("done", closed, "closed,", len(conns), "left open", flush=True)
EOF
  python3 slow.py 127.0.0.1 "$PORT" 200 127.0.0.2 > slow.out 2> slow.err &
  slow_pid=$!
  PIDS+=("$slow_pid")
  show_state() {
    echo "slow connections open: $(established 127.0.0.2), refused (503): $(log_count "$refused")," \
      "timed out (408): $(log_count "$timed_out"); slow.py: $(tail -1 slow.out) $(cat slow.err)"
  }
  refused="127.0.0.2 GET /reel-repo.json 503 "
  timed_out="127.0.0.2 GET /reel-repo.json 408 "
  wait_for 300 "the slow clients did not connect" grep -q "^opened 200$" slow.out
  # 168 are refused at once (503), 32 held: the server answers them in any order.
  wait_for 300 "not 168 of 200 slow connections refused" eval '[ "$(log_count "$refused")" -ge 168 ]'
  wait_for 300 "more than 32 slow connections open" eval '[ "$(established 127.0.0.2)" -le 32 ]'
  [ "$(log_count "$refused")" = 168 ] || fail "$(log_count "$refused") refused, expected 168"
  # Meanwhile a normal GET is answered at once (the issue: it waited 40 s).
  for i in 1 2 3; do
    start=$(date +%s%N)
    curl -fsS --max-time 1 -o marker.json "$URL/reel-repo.json" || fail "GET $i was not answered within 1 s"
    echo "GET $i answered in $((($(date +%s%N) - start) / 1000000)) ms"
  done
  grep -q '"blessed"' marker.json || fail "reel-repo.json: $(cat marker.json)"
  [ "$(established 127.0.0.2)" = 32 ] || fail "$(established 127.0.0.2) slow connections open, expected 32"
  # The head deadline (4 s from each head's first byte) closes the 32, though bytes keep coming.
  wait_for 300 "slow connections outlived the head deadline" eval '[ "$(established 127.0.0.2)" = 0 ]'
  wait_for 100 "not 32 held connections logged as timed out (408)" \
    eval '[ "$(log_count "$timed_out")" = 32 ]'
  wait "$slow_pid" || fail "slow.py: $(cat slow.err)"
  grep -q "^done 200 closed, 0 left open$" slow.out || fail "slow.py: $(tail -1 slow.out)"
  ;;
header_flood)
  small_repo
  serve repo
  cat > flood.py <<'EOF'
# flood.py HOST PORT SRC LINES THREADS: THREADS connections at a time from SRC send a request
# line and then header lines until LINES lines were sent in all, reconnecting when the server
# cuts one off; prints the lines sent, the connections used, how many the server cut and the
# most lines one connection sent.
import socket, sys, threading, time
host, port, src, total, threads = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
line = b"X-Flood: 1\r\n"
chunk = line * 4000
lock = threading.Lock()
state = {"bytes": 0, "connections": 0, "cut": 0, "most": 0}
end = time.monotonic() + 100
def more():
    with lock:
        return state["bytes"] < total * len(line) and time.monotonic() < end
def flood():
    while more():
        with lock:
            state["connections"] += 1
        s = socket.create_connection((host, port), source_address=(src, 0))
        sent = 0
        try:
            s.sendall(b"GET /reel-repo.json HTTP/1.1\r\nHost: x\r\n")
            while more():
                n = s.send(chunk)
                sent += n
                with lock:
                    state["bytes"] += n
        except OSError:
            with lock:
                state["cut"] += 1
        with lock:
            state["most"] = max(state["most"], sent)
        s.close()
ts = [threading.Thread(target=flood) for _ in range(threads)]
for t in ts:
    t.start()
for t in ts:
    t.join()
print("lines", state["bytes"] // len(line), "connections", state["connections"], "cut", state["cut"],
      "most", state["most"] // len(line), flush=True)
EOF
  rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$SERVER_PID/status"; }
  echo "server VmRSS before: $(rss) kB"
  python3 flood.py 127.0.0.1 "$PORT" 127.0.0.3 4000000 4 > flood.out 2> flood.err &
  flood_pid=$!
  PIDS+=("$flood_pid")
  max=0
  while kill -0 "$flood_pid" 2>/dev/null; do  # sampled every 20 ms while the flood runs
    kb=$(rss)
    [ "$kb" -gt "$max" ] && max=$kb
    [ "$kb" -lt $((200 * 1024)) ] || fail "server VmRSS $kb kB during the flood (over 200 MB)"
    sleep 0.02
  done
  wait "$flood_pid" || fail "flood.py: $(cat flood.err)"
  echo "flood: $(cat flood.out); server VmRSS at most $max kB"
  read -r _ lines _ conns _ cut _ most < flood.out
  [ "$lines" -ge 4000000 ] || fail "the flood sent only $lines lines"
  # Each connection is cut once the server has read 64 KiB of it (and the socket buffers between
  # have filled): at most 4 (one a thread) end uncut, with the total reached.
  [ "$cut" -ge $((conns - 4)) ] && [ "$cut" -ge 1 ] || fail "$cut of $conns flood connections cut off"
  [ "$most" -lt 1000000 ] || fail "one connection sent $most header lines"
  [ "$(log_count "127.0.0.3 GET /reel-repo.json 431 ")" -ge 1 ] || fail "no 431 in the log"
  curl -fsS --max-time 5 -o /dev/null "$URL/reel-repo.json" || fail "GET after the flood failed"
  ;;
dashed_names)
  "$REEL" -q repo init repo --name blessed >/dev/null
  echo "tok" > tokens
  serve repo --token-file tokens
  export REEL_TOKEN=tok REEL_TOKEN_URL="$URL"
  "$REEL" -q init studio --repo blessed="$URL" >/dev/null
  names=(stk-kart-adiumy a.b-c Kart.Base-2)
  versions=(1.4.0 1.0.0-rc.1 2.0.0-beta.1+build.7)
  for i in 0 1 2; do
    d=studio/outputs/${names[$i]}
    mkdir -p "$d/data"
    printf '[asset]\nname = "%s"\nversion = "%s"\n' "${names[$i]}" "${versions[$i]}" > "$d/asset.toml"
    head -c 50000 /dev/urandom > "$d/data/blob.bin"
    expect 0 "$REEL" -C studio publish "${names[$i]}" --allow-dirty
  done
  "$REEL" -q init job --repo blessed="$URL" >/dev/null
  expect 0 "$REEL" -C job add stk-kart-adiumy "a.b-c==1.0.0-rc.1" "Kart.Base-2==2.0.0-beta.1+build.7"
  expect 0 "$REEL" -C job verify
  for n in "${names[@]}"; do
    cmp "job/inputs/$n/data/blob.bin" "studio/outputs/$n/data/blob.bin" || fail "$n: bytes differ"
  done
  # The archive URLs themselves (the issue's 404), checked against the index's digest.
  for i in 0 1 2; do
    lower=$(echo "${names[$i]}" | tr 'A-Z' 'a-z')
    path=$(jq -er '.versions[0].archive.path' "repo/index/$lower.json")
    sha=$(jq -er '.versions[0].archive.sha256' "repo/index/$lower.json")
    [ "$path" = "packages/$lower/${names[$i]}-${versions[$i]}.reel" ] || fail "archive path $path"
    curl -fsS --max-time 10 -o archive.reel "$URL/$path" || fail "GET $URL/$path"
    [ "$(sha256sum < archive.reel | cut -c1-64)" = "$sha" ] || fail "$path: not the indexed archive"
  done
  ;;
basic_auth)
  small_repo
  echo "write-tok" > tokens
  echo "read-tok" > read-tokens
  serve repo --token-file tokens --read-token-file read-tokens
  printf 'machine 127.0.0.1 login reel password read-tok\n' > read.netrc
  printf 'machine 127.0.0.1\nlogin reel\npassword write-tok\n' > write.netrc
  code() { curl -sS -o body -w '%{http_code}' --max-time 10 "$@"; }
  [ "$(code "$URL/index/lamp.json")" = 401 ] || fail "a read without credentials: $(cat body)"
  [ "$(code --netrc-file read.netrc "$URL/index/lamp.json")" = 200 ] || fail "netrc read: $(cat body)"
  cmp body repo/index/lamp.json || fail "netrc read: not the index"
  head -c 1000 /dev/urandom > obj.bin
  hex=$(sha256sum < obj.bin | cut -c1-64)
  obj="$URL/objects/sha256/${hex:0:2}/${hex:2}"
  [ "$(code --netrc-file read.netrc -T obj.bin "$obj")" = 403 ] || fail "netrc PUT with a read token: $(cat body)"
  [ "$(code --netrc-file write.netrc -T obj.bin "$obj")" = 201 ] || fail "netrc PUT: $(cat body)"
  cmp obj.bin "repo/objects/sha256/${hex:0:2}/${hex:2}" || fail "the object was not stored"
  ! grep -q "read-tok\|write-tok" serve.log || fail "a token leaked into the log"
  ;;
*)
  fail "unknown case $case_name"
  ;;
esac
echo "ok: $case_name"
