#!/usr/bin/env bash
# HTTP repos end to end, one case per run, with the real binary (docs/http.md):
#   serve            reel serve: publish over HTTP with a token (401 without, 403 with a read
#                    token), install and verify over HTTP, promote into an HTTP repo, rdeps over HTTP
#   nginx            a published folder repo served read-only by Debian's nginx: install, sync,
#                    verify
#   bootstrap        16 farm jobs bootstrapping one lock at once against reel serve on one node
#                    cache: each object downloaded once (the server's log), every workspace
#                    verifies, no temp file left
#   https            nginx over TLS with a certificate from a local CA: refused without the CA
#                    (verification is on); installs with --ca-file, REEL_CA_FILE or a repo's ca-file
#   server_killed    reel serve killed with SIGKILL mid-download: sync gives up cleanly (no partial
#                    object in the cache) and completes once the server is back; a server back
#                    within the retry window lets the same sync resume and complete
#   stall            a server that accepts connections and never answers: sync gives up after its
#                    stall timeout (REEL_HTTP_STALL_SECONDS) with a clear error
#   malformed_index  nginx serving a garbage, truncated or misnamed index, a URL without
#                    reel-repo.json and one whose reel-repo.json is an HTML page: clear errors
#   publish_race     two workspaces publish the same new version with different content at once:
#                    one wins, the other gets a conflict naming the winner's archive (5 rounds)
#   missing_objects  curl POSTs an archive whose object was never uploaded: 409, index unchanged
#   pipeline         a frozen sync of 12 small packages from reel serve fetches as one pipeline
#                    (issue 16): every index file, then every archive, then every object (the
#                    server's log in that order, not package after package); 4 jobs at once on one
#                    empty cache still download each object once; every job verifies
# usage: http.sh REEL_BINARY CASE
source "$(dirname "$0")/lib.sh"
case_name=$2
KiB=1024
MiB=1048576

# Servers this case started (pids): stopped at exit, also when stopped with SIGSTOP. Every step
# must not fail (set -e holds in the trap too): a server killed by the case is already gone.
SERVERS=()
stop_servers() {
  local p
  for p in "${SERVERS[@]}"; do
    kill "$p" 2>/dev/null || true
    kill -CONT "$p" 2>/dev/null || true
  done
}
trap 'stop_servers; chmod -R u+w "$WORK" 2>/dev/null || true; rm -rf "$WORK"' EXIT

# ms: milliseconds since the epoch.
ms() { echo $(($(date +%s%N) / 1000000)); }

# serve REPO [ARGS...]: starts reel serve on $BIND (default 127.0.0.1:0: a free port, which it
# prints); sets URL and SERVER_PID; its log is $WORK/serve.log (started afresh).
serve() {
  local repo=$1
  shift
  "$REEL" serve "$repo" --bind "${BIND:-127.0.0.1:0}" "$@" 2> "$WORK/serve.log" &
  SERVER_PID=$!
  SERVERS+=("$SERVER_PID")
  for _ in $(seq 1 400); do  # up to 20 s: a loaded CI machine can be slow to start a process
    grep -q "^serving " "$WORK/serve.log" 2>/dev/null && break
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.05
  done
  URL=$(grep -o "http://127.0.0.1:[0-9]*" "$WORK/serve.log" | head -1)
  [ -n "$URL" ] || { cat "$WORK/serve.log"; fail "reel serve did not start"; }
}

need_nginx() {
  [ -x /usr/sbin/nginx ] || fail "nginx is not installed (scripts/install-deps.sh)"
}

# nginx_serve ROOT [tls]: Debian's nginx serving the folder ROOT read-only on a free loopback port
# (listings as JSON); over TLS with $WORK/server.pem and $WORK/server.key when asked. Sets PORT.
# Its files are in $WORK/nginx (access.log, error.log).
nginx_serve() {
  local root=$1 tls=${2:-} ngx
  mkdir -p "$WORK/nginx/tmp"
  for _ in 1 2 3 4 5; do
    # Below the kernel's ephemeral range (32768 and up), so no client socket holds the port.
    PORT=$((20000 + RANDOM % 12000))
    (echo > "/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && continue  # taken
    cat > "$WORK/nginx/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
$( [ "$(id -u)" = 0 ] && echo "user root;" )
events { worker_connections 64; }
http {
  access_log $WORK/nginx/access.log;
  client_body_temp_path $WORK/nginx/tmp;
  proxy_temp_path $WORK/nginx/tmp;
  fastcgi_temp_path $WORK/nginx/tmp;
  uwsgi_temp_path $WORK/nginx/tmp;
  scgi_temp_path $WORK/nginx/tmp;
  server {
    listen 127.0.0.1:$PORT${tls:+ ssl};
    ${tls:+ssl_certificate $WORK/server.pem; ssl_certificate_key $WORK/server.key;}
    root $root;
    location / { autoindex on; autoindex_format json; }
  }
}
EOF
    /usr/sbin/nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" &
    ngx=$!
    SERVERS+=("$ngx")
    for _ in $(seq 1 400); do
      (echo > "/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && return 0
      kill -0 "$ngx" 2>/dev/null || break  # it could not bind the port: try another
      sleep 0.05
    done
  done
  cat "$WORK/nginx/error.log"
  fail "nginx did not start"
}

# object_temps CACHE: the temp files of its object store (objects-v1/tmp/ and, for downloads,
# .tmp-* beside the objects in objects-v1/sha256/<2>/), one a line.
object_temps() {
  { ls -A "$1/objects-v1/tmp" 2>/dev/null; find "$1/objects-v1/sha256" -name '.tmp-*' 2>/dev/null; } || true
}

# first_bytes CACHE PID: waits until an object download into CACHE has written bytes (a temp file
# beside its object that is not empty); false if process PID ended first. Polls every 10 ms.
first_bytes() {
  for _ in $(seq 1 2000); do
    [ -n "$(find "$1/objects-v1" -name '.tmp-*' -type f -size +0 -print -quit 2>/dev/null)" ] && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.01
  done
  fail "no object bytes reached $1 in 20 s"
}

# cache_is_clean CACHE: no temp file in its object store, and every object hashes to its name.
cache_is_clean() {
  local left f name
  left=$(object_temps "$1")
  [ -z "$left" ] || fail "partial objects left in $1/objects-v1: $left"
  while IFS= read -r f; do
    name=${f#"$1/objects-v1/sha256/"}
    [ "$(sha256sum < "$f" | cut -c1-64)" = "${name%%/*}${name#*/}" ] || fail "$f: content is not its name"
  done < <(find "$1/objects-v1/sha256" -type f 2>/dev/null)
}

# job DIR FROM: a farm job: a folder DIR holding only FROM's workspace.toml and reel.lock.
job() {
  rm -rf "$1"
  mkdir "$1"
  cp "$2/workspace.toml" "$2/reel.lock" "$1/"
}

case "$case_name" in
pipeline)
  "$REEL" -q repo init repo --name blessed >/dev/null
  "$REEL" -q init studio --repo blessed=repo >/dev/null
  for i in $(seq 1 12); do
    mkdir -p "studio/outputs/Prop$i"
    printf '[asset]\nname = "Prop%s"\nversion = "1.0.0"\n' "$i" > "studio/outputs/Prop$i/asset.toml"
    for f in a b c; do head -c 2000 /dev/urandom > "studio/outputs/Prop$i/$f.bin"; done
  done
  "$REEL" -q -C studio publish --all --allow-dirty >/dev/null
  serve repo
  export REEL_CACHE_DIR="$WORK/node-cache"
  "$REEL" -q init job0 --repo blessed="$URL" >/dev/null
  for i in $(seq 1 12); do printf 'Prop%s = "*"\n' "$i" >> job0/workspace.toml; done
  "$REEL" -q --cache-dir lock-cache -C job0 lock >/dev/null
  start_line=$(wc -l < "$WORK/serve.log")
  job job1 job0
  expect 0 "$REEL" -C job1 sync --frozen
  expect 0 "$REEL" -C job1 verify
  # A no-op sync writes nothing: installed.json (temp + rename when written) keeps its inode.
  inode=$(stat -c %i job1/.reel/installed.json)
  expect 0 "$REEL" -C job1 sync --frozen
  [ "$(stat -c %i job1/.reel/installed.json)" = "$inode" ] || fail "a no-op sync rewrote installed.json"
  tail -n +"$((start_line + 1))" "$WORK/serve.log" | grep " GET /" | awk '{ print $3 }' |
    grep -v '^/reel-repo.json$' > gets.txt
  # The lock names each archive by digest and the layout says where it is: no index file is read.
  [ "$(grep -c '^/index/' gets.txt)" = 0 ] || fail "index GETs: $(cat gets.txt)"
  [ "$(grep -c '^/packages/' gets.txt)" = 12 ] || fail "archive GETs: $(cat gets.txt)"
  [ "$(grep -c '^/objects/' gets.txt)" = 36 ] || fail "object GETs: $(cat gets.txt)"
  # One phase after another: the kinds of request never interleave package by package.
  phases=$(sed 's|^/\([a-z]*\)/.*|\1|' gets.txt | uniq | tr '\n' ' ')
  [ "$phases" = "packages objects " ] || fail "requests went package by package: $phases"
  # An archive that is not where the layout puts it (moved; its index entry says where) is found
  # through its index entry; one whose bytes there are not the lock's is too.
  mv repo/packages/prop1/Prop1-1.0.0.reel repo/packages/prop1/Prop1-1.0.0-moved.reel
  jq -c '.versions[0].archive.path = "packages/prop1/Prop1-1.0.0-moved.reel"' repo/index/prop1.json > p1.json
  mv p1.json repo/index/prop1.json
  cp repo/packages/prop2/Prop2-1.0.0.reel p2.reel
  chmod u+w repo/packages/prop2/Prop2-1.0.0.reel
  cp repo/packages/prop3/Prop3-1.0.0.reel repo/packages/prop2/Prop2-1.0.0.reel
  jq -c '.versions[0].archive.path = "packages/prop2/Prop2-1.0.0-moved.reel"' repo/index/prop2.json > p2.json
  mv p2.json repo/index/prop2.json
  mv p2.reel repo/packages/prop2/Prop2-1.0.0-moved.reel
  export REEL_CACHE_DIR="$WORK/node-cache-moved"
  start_line=$(wc -l < "$WORK/serve.log")
  job job-moved job0
  expect 0 "$REEL" -C job-moved sync --frozen
  expect 0 "$REEL" -C job-moved verify
  tail -n +"$((start_line + 1))" "$WORK/serve.log" | grep " GET /" | awk '{ print $3 }' |
    grep -v '^/reel-repo.json$' > gets.txt
  [ "$(grep -c '^/index/' gets.txt)" = 2 ] || fail "index GETs after the move: $(cat gets.txt)"
  grep -q '^/packages/prop1/Prop1-1.0.0-moved.reel$' gets.txt || fail "moved archive not read: $(cat gets.txt)"
  # Farm jobs at once on one empty cache: each object still downloaded once.
  export REEL_CACHE_DIR="$WORK/node-cache-2"
  start_line=$(wc -l < "$WORK/serve.log")
  pids=()
  for i in 2 3 4 5; do
    job "job$i" job0
    "$REEL" -q -C "job$i" sync --frozen > "job$i.out" 2>&1 &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || { cat job*.out; fail "a job failed"; }; done
  for i in 2 3 4 5; do expect 0 "$REEL" -C "job$i" verify; done
  gets=$(tail -n +"$((start_line + 1))" "$WORK/serve.log" | grep " GET /objects/" | grep -c " 200 " || true)
  [ "$gets" = 36 ] || fail "objects downloaded $gets times for 36 objects (each should be once)"
  ;;
serve)
  "$REEL" -q repo init repo --name blessed >/dev/null
  echo "write-token-123" > tokens
  echo "read-token-456" > read-tokens
  serve repo --token-file tokens --read-token-file read-tokens
  REEL_TOKEN=read-token-456 REEL_TOKEN_URL="$URL" "$REEL" -q init studio --repo blessed="$URL" >/dev/null
  shot studio/outputs/Shot 12 $((256 * KiB))
  # No token: 401; a read token: 403 on publish.
  expect 1 "$REEL" -C studio publish Shot --allow-dirty
  stderr_has "401"
  REEL_TOKEN=read-token-456 REEL_TOKEN_URL="$URL" expect 1 "$REEL" -C studio publish Shot --allow-dirty
  stderr_has "403"
  [ ! -e repo/index/shot.json ] || fail "a refused publish wrote the index"
  expect 1 "$REEL" --token-file missing-file -C studio publish Shot --allow-dirty
  stderr_has "--token-file"
  expect 0 "$REEL" --token-file tokens -C studio publish Shot --allow-dirty
  grep -q "published Shot 1.0.0" "$WORK/out" || fail "publish: $(cat "$WORK/out")"
  [ -f repo/index/shot.json ] || fail "the index was not written"
  # Install over HTTP with the read token; verify; reel run sees the asset's [env].
  REEL_TOKEN=read-token-456 REEL_TOKEN_URL="$URL" "$REEL" -q init job --repo blessed="$URL" >/dev/null
  REEL_TOKEN=read-token-456 REEL_TOKEN_URL="$URL" expect 0 "$REEL" -C job add Shot
  expect 0 "$REEL" -C job verify
  cmp job/inputs/Shot/renders/frame.0012.exr studio/outputs/Shot/renders/frame.0012.exr || fail "bytes differ"
  expect 0 "$REEL" -C job run -- sh -c 'ls "$SHOT_FRAMES" | wc -l'
  [ "$(tr -d ' ' < "$WORK/out")" = 12 ] || fail "reel run: $(cat "$WORK/out")"
  # Without a token the server refuses reads too (a read-token file was given).
  REEL_TOKEN=read-token-456 REEL_TOKEN_URL="$URL" "$REEL" -q init nojob --repo blessed="$URL" >/dev/null
  expect 1 "$REEL" -C nojob add Shot
  stderr_has "401"
  # The token never shows in errors or the server log.
  ! grep -q "write-token-123\|read-token-456" "$WORK/serve.log" "$WORK/err" || fail "a token leaked"
  # Promote from a local folder repo into the HTTP repo.
  "$REEL" -q repo init review --name review >/dev/null
  "$REEL" -q init rw --repo review=review >/dev/null
  shot rw/outputs/Lamp 3 $((256 * KiB))
  sed -i 's/"Shot"/"Lamp"/; s/SHOT_FRAMES/LAMP_FRAMES/' rw/outputs/Lamp/asset.toml
  "$REEL" -q -C rw publish Lamp --allow-dirty >/dev/null
  REEL_TOKEN=read-token-456 REEL_TOKEN_URL="$URL" "$REEL" -q -C rw repo add blessed "$URL" >/dev/null
  "$REEL" -q -C rw review approve Lamp==1.0.0 --repo review
  REEL_TOKEN=write-token-123 REEL_TOKEN_URL="$URL" expect 0 "$REEL" -C rw promote Lamp==1.0.0 --from review --to blessed
  [ -f repo/index/lamp.json ] || fail "promote did not publish"
  REEL_TOKEN=read-token-456 REEL_TOKEN_URL="$URL" expect 0 "$REEL" rdeps Shot --repo "$URL"
  ;;
nginx)
  need_nginx
  "$REEL" -q repo init repo --name blessed >/dev/null
  "$REEL" -q init studio --repo blessed=repo >/dev/null
  shot studio/outputs/Shot 8 $((256 * KiB))
  "$REEL" -q -C studio publish Shot --allow-dirty >/dev/null
  nginx_serve "$WORK/repo"
  "$REEL" -q init job --repo blessed="http://127.0.0.1:$PORT" >/dev/null
  expect 0 "$REEL" -C job add Shot
  expect 0 "$REEL" -C job verify
  cmp job/inputs/Shot/renders/frame.0008.exr studio/outputs/Shot/renders/frame.0008.exr || fail "bytes differ"
  # A second job on the same cache needs no object from the server.
  mkdir job2 && cp job/workspace.toml job/reel.lock job2/
  before=$(grep -c "/objects/" nginx/access.log)
  expect 0 "$REEL" -C job2 sync --frozen
  [ "$(grep -c "/objects/" nginx/access.log)" = "$before" ] || fail "objects fetched again from nginx"
  expect 0 "$REEL" -C job2 verify
  # Publishing to a read-only server fails clearly, and changes nothing.
  cp -r studio/outputs/Shot job/outputs/Lamp
  sed -i 's/"Shot"/"Lamp"/' job/outputs/Lamp/asset.toml
  before=$(snapshot repo)
  expect 1 "$REEL" -C job publish Lamp --repo blessed --allow-dirty
  stderr_starts_with_error
  [ "$before" = "$(snapshot repo)" ] || fail "the repo changed"
  ;;
bootstrap)
  "$REEL" -q repo init repo --name blessed >/dev/null
  echo "tok" > tokens
  serve repo --token-file tokens
  "$REEL" -q init studio --repo blessed="$URL" >/dev/null
  shot studio/outputs/Shot 24 $((256 * KiB))
  REEL_TOKEN=tok REEL_TOKEN_URL="$URL" "$REEL" -q -C studio publish Shot --allow-dirty >/dev/null
  # The farm node has its own cache, empty (the studio's holds every object it published).
  export REEL_CACHE_DIR="$WORK/node-cache"
  "$REEL" -q init job0 --repo blessed="$URL" >/dev/null
  printf 'Shot = "*"\n' >> job0/workspace.toml
  "$REEL" -q -C job0 lock >/dev/null
  start_line=$(wc -l < "$WORK/serve.log")
  pids=()
  for i in $(seq 1 16); do
    mkdir "job$i" && cp job0/workspace.toml job0/reel.lock "job$i/"
    "$REEL" -q -C "job$i" sync --frozen > "job$i.out" 2>&1 &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || { cat job*.out; fail "a bootstrap failed"; }; done
  for i in $(seq 1 16); do expect 0 "$REEL" -C "job$i" verify; done
  gets=$(tail -n +"$((start_line + 1))" "$WORK/serve.log" | grep " GET /objects/" | grep -c " 200 " || true)
  [ "$gets" = 24 ] || fail "objects downloaded $gets times for 24 objects (each should be once)"
  [ -z "$(object_temps node-cache)" ] || fail "temp files left in the cache"
  ;;
https)
  # A studio CA and a certificate for 127.0.0.1 and localhost signed by it; nginx serves a
  # published folder repo over TLS. Every sync uses a fresh cache, so it really downloads.
  need_nginx
  command -v openssl >/dev/null || fail "openssl is not installed (scripts/install-deps.sh)"
  unset REEL_CA_FILE
  ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
  openssl req -x509 "${ec[@]}" -keyout ca.key -out ca.pem -days 2 -subj "/CN=reel test CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  openssl req -x509 "${ec[@]}" -keyout other-ca.key -out other-ca.pem -days 2 -subj "/CN=another CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  openssl req -new "${ec[@]}" -keyout server.key -out server.csr -subj "/CN=localhost" 2>/dev/null
  printf '%s\n' "subjectAltName = IP:127.0.0.1, DNS:localhost" "basicConstraints = CA:FALSE" \
    "keyUsage = critical, digitalSignature" "extendedKeyUsage = serverAuth" > server.ext
  openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
    -extfile server.ext -out server.pem 2>/dev/null
  openssl verify -CAfile ca.pem server.pem >/dev/null || fail "the test certificate does not verify"
  "$REEL" -q repo init repo --name blessed >/dev/null
  "$REEL" -q init studio --repo blessed=repo >/dev/null
  shot studio/outputs/Shot 6 $((256 * KiB))
  "$REEL" -q -C studio publish Shot --allow-dirty >/dev/null
  nginx_serve "$WORK/repo" tls
  url="https://127.0.0.1:$PORT"
  expect 0 "$REEL" --ca-file ca.pem init ws --repo blessed="$url"
  printf 'Shot = "*"\n' >> ws/workspace.toml  # [requirements] is the last table
  expect 0 "$REEL" --ca-file ca.pem -C ws lock
  frame=renders/frame.0006.exr
  # Without the CA: the system's CAs do not know it. Nothing is installed.
  job ws1 ws
  export REEL_CACHE_DIR="$WORK/cache1"
  expect 1 "$REEL" -C ws1 sync
  stderr_starts_with_error
  stderr_has "$url/"
  grep -qi "certificate" "$WORK/err" || { cat "$WORK/err"; fail "the error does not name the certificate problem"; }
  stderr_has "give its PEM file with --ca-file"
  [ -z "$(ls -A ws1/inputs 2>/dev/null)" ] || fail "installed without trusting the server"
  # Another CA is no better.
  expect 1 "$REEL" --ca-file other-ca.pem -C ws1 sync
  grep -qi "certificate" "$WORK/err" || { cat "$WORK/err"; fail "the error does not name the certificate problem"; }
  # A CA file that does not exist: an error, not the system's CAs.
  expect 1 "$REEL" --ca-file missing.pem -C ws1 sync
  stderr_starts_with_error
  stderr_has "$WORK/missing.pem"
  # --ca-file (relative to the current directory).
  expect 0 "$REEL" --ca-file ca.pem -C ws1 sync
  expect 0 "$REEL" -C ws1 verify
  cmp ws1/inputs/Shot/$frame studio/outputs/Shot/$frame || fail "--ca-file: bytes differ"
  # REEL_CA_FILE.
  job ws2 ws
  export REEL_CACHE_DIR="$WORK/cache2"
  REEL_CA_FILE=ca.pem expect 0 "$REEL" -C ws2 sync
  expect 0 "$REEL" -C ws2 verify
  cmp ws2/inputs/Shot/$frame studio/outputs/Shot/$frame || fail "REEL_CA_FILE: bytes differ"
  # The repo's ca-file key (relative to the workspace), in its [[repo]] table.
  job ws3 ws
  cp ca.pem ws3/
  sed -i "s|^url = \"$url\"\$|&\nca-file = \"ca.pem\"|" ws3/workspace.toml
  grep -q '^ca-file = "ca.pem"$' ws3/workspace.toml || fail "no ca-file key: $(cat ws3/workspace.toml)"
  export REEL_CACHE_DIR="$WORK/cache3"
  expect 0 "$REEL" -C ws3 sync
  expect 0 "$REEL" -C ws3 verify
  cmp ws3/inputs/Shot/$frame studio/outputs/Shot/$frame || fail "ca-file key: bytes differ"
  # --ca-file wins over the repo's key.
  job ws4 ws3
  cp other-ca.pem ws4/ca.pem
  export REEL_CACHE_DIR="$WORK/cache4"
  expect 1 "$REEL" -C ws4 sync
  expect 0 "$REEL" --ca-file ca.pem -C ws4 sync
  # A repo opened by URL (no workspace), by its DNS name this time.
  expect 1 "$REEL" rdeps Shot --repo "https://localhost:$PORT"
  grep -qi "certificate" "$WORK/err" || { cat "$WORK/err"; fail "rdeps: no certificate problem named"; }
  expect 0 "$REEL" --ca-file ca.pem rdeps Shot --repo "https://localhost:$PORT"
  ;;
server_killed)
  # 8 objects of 16 MiB behind reel serve, which is killed with SIGKILL once the first object
  # bytes reach the cache. Every sync uses a fresh cache. The cache is re-hashed after the failed
  # sync; after one that succeeds, `reel verify` re-hashes what it installed.
  "$REEL" -q repo init repo --name blessed >/dev/null
  "$REEL" -q init studio --repo blessed=repo >/dev/null
  shot studio/outputs/Shot 8 $((16 * MiB))
  "$REEL" -q -C studio publish Shot --allow-dirty >/dev/null
  serve repo
  port=${URL##*:}
  "$REEL" -q init ws --repo blessed="$URL" >/dev/null
  printf 'Shot = "*"\n' >> ws/workspace.toml
  "$REEL" -q -C ws lock >/dev/null
  frame=renders/frame.0008.exr

  # 1. The server stays down: sync retries (4 times, 0.2 s doubling), then gives up. A download
  # that wins the race (done before the kill) is started over, at most 3 times.
  rc=
  for _ in 1 2 3; do
    job job1 ws
    rm -rf cache1
    REEL_CACHE_DIR="$WORK/cache1" "$REEL" -C job1 sync > sync.out 2> sync.err &
    pid=$!
    if ! first_bytes cache1 "$pid"; then
      wait "$pid" || { cat sync.err; fail "sync failed before the server was killed"; }
      echo "the download ended before the kill: again"
      continue
    fi
    kill -9 "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null || true  # gone, and its port free
    set +e
    wait "$pid"
    rc=$?
    set -e
    [ "$rc" = 0 ] || break
    echo "the download ended before the kill: again"
    BIND="127.0.0.1:$port" serve repo
    rc=
  done
  [ "$rc" = 1 ] || { cat sync.err; fail "sync with the server killed exited '$rc', expected 1"; }
  grep -q "^error: " sync.err || { cat sync.err; fail "no 'error: ' line"; }
  grep -qF "$URL/" sync.err || { cat sync.err; fail "the error does not name the server"; }
  [ ! -e job1/inputs/Shot ] || fail "a partial Shot was installed"
  cache_is_clean cache1
  # Back on the same port: the same sync completes.
  BIND="127.0.0.1:$port" serve repo
  REEL_CACHE_DIR="$WORK/cache1" expect 0 "$REEL" -C job1 sync
  REEL_CACHE_DIR="$WORK/cache1" expect 0 "$REEL" -C job1 verify
  cmp job1/inputs/Shot/$frame studio/outputs/Shot/$frame || fail "bytes differ after the restart"
  [ -z "$(object_temps cache1)" ] || fail "temp files left in the cache"

  # 2. The server is back within the retry window: the same sync resumes and completes.
  resumed=
  for _ in 1 2 3; do
    job job2 ws
    rm -rf cache2
    REEL_CACHE_DIR="$WORK/cache2" "$REEL" -C job2 sync > sync.out 2> sync.err &
    pid=$!
    if ! first_bytes cache2 "$pid"; then
      wait "$pid" || { cat sync.err; fail "sync failed before the server was killed"; }
      echo "the download ended before the kill: again"
      continue
    fi
    kill -9 "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null || true  # gone, and its port free
    BIND="127.0.0.1:$port" serve repo
    wait "$pid" || { cat sync.err; fail "sync failed with the server back within the retry window"; }
    # Objects the new server sent (206: resumed with a Range); none means the download won.
    if grep -q " GET /objects/" serve.log; then
      resumed=$(grep " GET /objects/" serve.log | grep -c " 206 " || true)
      break
    fi
    echo "the download ended before the kill: again"
  done
  [ -n "$resumed" ] || fail "the downloads finished before the server was killed, 3 times"
  echo "resumed with a Range: $resumed objects"
  REEL_CACHE_DIR="$WORK/cache2" expect 0 "$REEL" -C job2 verify
  cmp job2/inputs/Shot/$frame studio/outputs/Shot/$frame || fail "bytes differ after the resume"
  [ -z "$(object_temps cache2)" ] || fail "temp files left in the cache"
  ;;
stall)
  # reel serve stopped with SIGSTOP: the kernel still accepts connections (its backlog), but no
  # byte ever comes back. Each of the 5 attempts waits the stall timeout (1 s here, 30 s by
  # default); then the command fails naming the URL. Once the server runs again, sync completes.
  # (httplib listens with a backlog of 5: the kernel queues about 6 connections, enough for the
  # 5 attempts; more would wait in connect instead.)
  "$REEL" -q repo init repo --name blessed >/dev/null
  "$REEL" -q init studio --repo blessed=repo >/dev/null
  shot studio/outputs/Shot 4 $((256 * KiB))
  "$REEL" -q -C studio publish Shot --allow-dirty >/dev/null
  serve repo
  "$REEL" -q init ws --repo blessed="$URL" >/dev/null
  printf 'Shot = "*"\n' >> ws/workspace.toml
  "$REEL" -q -C ws lock >/dev/null
  job job ws
  kill -STOP "$SERVER_PID"
  start=$(ms)
  REEL_CACHE_DIR="$WORK/cache1" REEL_HTTP_STALL_SECONDS=1 expect 1 "$REEL" -C job sync
  took=$(($(ms) - start))
  stderr_starts_with_error
  stderr_has "$URL/"
  stderr_has "Operation too slow"
  stderr_has "after 5 attempts"
  [ "$took" -ge 4000 ] || fail "gave up after $took ms, before 5 stall timeouts of 1 s"
  [ "$took" -lt 25000 ] || fail "gave up after $took ms (5 stall timeouts of 1 s and 3 s of backoff)"
  echo "gave up after $took ms"
  [ -z "$(ls -A job/inputs 2>/dev/null)" ] || fail "something was installed"
  cache_is_clean cache1
  kill -CONT "$SERVER_PID"
  REEL_CACHE_DIR="$WORK/cache1" expect 0 "$REEL" -C job sync
  REEL_CACHE_DIR="$WORK/cache1" expect 0 "$REEL" -C job verify
  ;;
malformed_index)
  # A static server (nginx) in front of a folder repo whose files are damaged by hand.
  need_nginx
  "$REEL" -q repo init www/blessed --name blessed >/dev/null
  "$REEL" -q init studio --repo blessed=www/blessed >/dev/null
  shot studio/outputs/Shot 2 $((256 * KiB))
  "$REEL" -q -C studio publish Shot --allow-dirty >/dev/null
  cp -r www/blessed www/not-a-repo
  rm www/not-a-repo/reel-repo.json
  cp -r www/blessed www/login
  echo '<html><body>Please log in</body></html>' > www/login/reel-repo.json
  cp www/blessed/index/shot.json good-index.json
  nginx_serve "$WORK/www"
  base="http://127.0.0.1:$PORT"
  index_url="$base/blessed/index/shot.json"
  "$REEL" -q init ws --repo blessed="$base/blessed" >/dev/null
  # Garbage (a proxy's error page with status 200), then a truncated index: add and sync fail,
  # naming the index's URL; the workspace is unchanged.
  for garbage in '<html><body>502 Bad Gateway</body></html>' "$(head -c 60 good-index.json)"; do
    printf '%s' "$garbage" > www/blessed/index/shot.json
    before=$(snapshot ws)
    expect 1 "$REEL" -C ws add Shot
    stderr_starts_with_error
    stderr_has "$index_url"
    [ "$before" = "$(snapshot ws)" ] || fail "the workspace changed (the requirement was kept?)"
    rm -rf ws2 && mkdir ws2 && cp ws/workspace.toml ws2/  # no lock: sync resolves
    printf 'Shot = "*"\n' >> ws2/workspace.toml
    expect 1 "$REEL" -C ws2 sync
    stderr_starts_with_error
    stderr_has "$index_url"
  done
  # Shot's index served as Lamp's.
  cp good-index.json www/blessed/index/lamp.json
  expect 1 "$REEL" -C ws add Lamp
  stderr_starts_with_error
  stderr_has "$base/blessed/index/lamp.json: holds the index of 'Shot', not 'Lamp'"
  # Repaired: the garbage was not kept in the index cache.
  cp good-index.json www/blessed/index/shot.json
  expect 0 "$REEL" -C ws add Shot
  expect 0 "$REEL" -C ws verify
  # A URL that is not a repo (no reel-repo.json): init, and a sync of a workspace pointing there.
  expect 1 "$REEL" init ws3 --repo blessed="$base/not-a-repo"
  stderr_starts_with_error
  stderr_has "$base/not-a-repo: no reel-repo.json (not a reel repo)"
  job ws4 ws
  sed -i "s|$base/blessed|$base/not-a-repo|" ws4/workspace.toml
  REEL_CACHE_DIR="$WORK/cache4" expect 1 "$REEL" -C ws4 sync  # a cold cache: it needs the repo
  stderr_starts_with_error
  stderr_has "$base/not-a-repo: no reel-repo.json (not a reel repo)"
  [ -z "$(ls -A ws4/inputs 2>/dev/null)" ] || fail "something was installed"
  # A reel-repo.json that is an HTML page (a login portal).
  expect 1 "$REEL" init ws5 --repo blessed="$base/login"
  stderr_starts_with_error
  stderr_has "$base/login/reel-repo.json"
  ;;
publish_race)
  # Two studios (each its own cache) publish Shot 1.N.0 with different frames at the same moment.
  "$REEL" -q repo init repo --name blessed >/dev/null
  echo "tok" > tokens
  serve repo --token-file tokens
  export REEL_TOKEN=tok REEL_TOKEN_URL="$URL"
  for w in a b; do
    REEL_CACHE_DIR="$WORK/cache-$w" "$REEL" -q init "studio-$w" --repo blessed="$URL" >/dev/null
  done
  for round in 1 2 3 4 5; do
    v="1.$round.0"
    for w in a b; do
      rm -rf "studio-$w/outputs/Shot"
      shot "studio-$w/outputs/Shot" 4 $((256 * KiB))
      sed -i "s/^version = .*/version = \"$v\"/" "studio-$w/outputs/Shot/asset.toml"
    done
    REEL_CACHE_DIR="$WORK/cache-a" "$REEL" -C studio-a publish Shot --allow-dirty > a.out 2> a.err &
    pa=$!
    REEL_CACHE_DIR="$WORK/cache-b" "$REEL" -C studio-b publish Shot --allow-dirty > b.out 2> b.err &
    pb=$!
    set +e
    wait "$pa"
    ra=$?
    wait "$pb"
    rb=$?
    set -e
    case "$ra$rb" in
      01) winner=a loser=b ;;
      10) winner=b loser=a ;;
      *) cat a.out a.err b.out b.err; fail "round $round: publishes exited $ra and $rb, expected 0 and 1" ;;
    esac
    grep -q "published Shot $v" "$winner.out" || fail "round $round: $(cat "$winner.out")"
    grep -q "^error: " "$loser.err" || { cat "$loser.err"; fail "round $round: no 'error: ' line"; }
    grep -q "Shot $v is already published with another archive" "$loser.err" ||
      { cat "$loser.err"; fail "round $round: not a conflict"; }
    # The index is valid JSON and names the winner's archive (the one the loser was told of).
    sha=$(jq -er --arg v "$v" '.versions[] | select(.version == $v) | .archive.sha256' repo/index/shot.json) ||
      fail "round $round: the index is not valid or lacks $v: $(cat repo/index/shot.json)"
    grep -q "sha256:$sha" "$loser.err" || { cat "$loser.err"; fail "round $round: the conflict does not name $sha"; }
    path=$(jq -r --arg v "$v" '.versions[] | select(.version == $v) | .archive.path' repo/index/shot.json)
    [ "$(sha256sum < "repo/$path" | cut -c1-64)" = "$sha" ] || fail "round $round: $path is not the indexed archive"
    # It installs, verifies, and holds the winner's frames.
    rm -rf job
    REEL_CACHE_DIR="$WORK/cache-job" "$REEL" -q init job --repo blessed="$URL" >/dev/null
    REEL_CACHE_DIR="$WORK/cache-job" expect 0 "$REEL" -C job add "Shot==$v"
    expect 0 "$REEL" -C job verify
    for f in 1 2 3 4; do
      frame=renders/$(printf 'frame.%04d.exr' "$f")
      cmp "job/inputs/Shot/$frame" "studio-$winner/outputs/Shot/$frame" || fail "round $round: not the winner's $frame"
    done
  done
  [ "$(jq '.versions | length' repo/index/shot.json)" = 5 ] || fail "the index lost versions"
  ;;
missing_objects)
  # A publish whose object was never uploaded is refused (409), the index unchanged; once the
  # object is PUT (checked against its name), the same POST publishes.
  command -v curl >/dev/null || fail "curl is not installed (scripts/install-deps.sh)"
  "$REEL" -q repo init repo --name blessed >/dev/null
  echo "tok" > tokens
  serve repo --token-file tokens
  "$REEL" -q init ws --repo blessed=repo >/dev/null
  mkdir -p ws/outputs/Lamp
  printf '[asset]\nname = "Lamp"\nversion = "1.0.0"\n' > ws/outputs/Lamp/asset.toml
  head -c 100000 /dev/urandom > ws/outputs/Lamp/bulb.exr
  "$REEL" -q -C ws build Lamp >/dev/null
  archive=ws/build/Lamp-1.0.0.reel
  [ -f "$archive" ] || fail "reel build made no $archive"
  hex=$(sha256sum < ws/outputs/Lamp/bulb.exr | cut -c1-64)
  post() {
    curl -sS -o post.body -w '%{http_code}' -H "Authorization: Bearer tok" \
      -H "Content-Type: application/octet-stream" --data-binary "@$archive" "$URL/publish/Lamp/1.0.0"
  }
  before=$(snapshot repo/index repo/packages)
  code=$(post)
  [ "$code" = 409 ] || fail "POST without the object: HTTP $code ($(cat post.body))"
  grep -q "1 of 1 objects missing, first sha256:$hex" post.body || fail "409 body: $(cat post.body)"
  [ "$before" = "$(snapshot repo/index repo/packages)" ] || fail "a refused publish changed the repo"
  # An object whose bytes are not its name is refused too, and not stored.
  head -c 100 /dev/urandom > wrong.bin
  code=$(curl -sS -o put.body -w '%{http_code}' -H "Authorization: Bearer tok" -T wrong.bin \
    "$URL/objects/sha256/${hex:0:2}/${hex:2}")
  [ "$code" = 400 ] || fail "PUT of wrong bytes: HTTP $code ($(cat put.body))"
  [ ! -e "repo/objects/sha256/${hex:0:2}/${hex:2}" ] || fail "wrong bytes were stored"
  code=$(curl -sS -o put.body -w '%{http_code}' -H "Authorization: Bearer tok" -T ws/outputs/Lamp/bulb.exr \
    "$URL/objects/sha256/${hex:0:2}/${hex:2}")
  [ "$code" = 201 ] || fail "PUT of the object: HTTP $code ($(cat put.body))"
  code=$(post)
  [ "$code" = 201 ] || fail "POST with the object: HTTP $code ($(cat post.body))"
  "$REEL" -q init job --repo blessed="$URL" >/dev/null
  expect 0 "$REEL" -C job add Lamp
  expect 0 "$REEL" -C job verify
  ;;
*)
  fail "unknown case $case_name"
  ;;
esac
echo "ok: $case_name"
