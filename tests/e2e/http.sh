#!/usr/bin/env bash
# HTTP repos end to end, one case per run, with the real binary (docs/http.md):
#   serve       reel serve: publish over HTTP with a token (401 without, 403 with a read token),
#               install and verify over HTTP, promote into an HTTP repo, rdeps over HTTP
#   nginx       a published folder repo served read-only by Debian's nginx: install, sync, verify
#   bootstrap   16 farm jobs bootstrapping one lock at once against reel serve on one node cache:
#               each object downloaded once (the server's log), every workspace verifies, no temp
#               file left
# usage: http.sh REEL_BINARY CASE
source "$(dirname "$0")/lib.sh"
case_name=$2

# shot DIR FRAMES: an asset folder Shot 1.0.0 with FRAMES frames of 256 KiB (random bytes) and an
# [env] entry.
shot() {
  mkdir -p "$1/renders"
  printf '[asset]\nname = "Shot"\nversion = "1.0.0"\n[env]\nSHOT_FRAMES = "{root}/renders"\n' > "$1/asset.toml"
  local i
  for i in $(seq 1 "$2"); do
    head -c 262144 /dev/urandom > "$1/renders/$(printf 'frame.%04d.exr' "$i")"
  done
}

# serve REPO [ARGS...]: starts reel serve on a free port (it binds port 0 and prints the URL);
# sets URL and SERVER_PID; the log is $WORK/serve.log. Stopped at exit.
serve() {
  local repo=$1
  shift
  "$REEL" serve "$repo" --bind 127.0.0.1:0 "$@" 2> "$WORK/serve.log" &
  SERVER_PID=$!
  trap 'kill $SERVER_PID 2>/dev/null || true; chmod -R u+w "$WORK" 2>/dev/null; rm -rf "$WORK"' EXIT
  for _ in $(seq 1 100); do
    grep -q "^serving " "$WORK/serve.log" 2>/dev/null && break
    sleep 0.05
  done
  URL=$(grep -o "http://127.0.0.1:[0-9]*" "$WORK/serve.log" | head -1)
  [ -n "$URL" ] || { cat "$WORK/serve.log"; fail "reel serve did not start"; }
}

case "$case_name" in
serve)
  "$REEL" -q repo init repo --name blessed >/dev/null
  echo "write-token-123" > tokens
  echo "read-token-456" > read-tokens
  serve repo --token-file tokens --read-token-file read-tokens
  REEL_TOKEN=read-token-456 "$REEL" -q init studio --repo blessed="$URL" >/dev/null
  shot studio/outputs/Shot 12
  # No token: 401; a read token: 403 on publish.
  expect 1 "$REEL" -C studio publish Shot --allow-dirty
  stderr_has "401"
  REEL_TOKEN=read-token-456 expect 1 "$REEL" -C studio publish Shot --allow-dirty
  stderr_has "403"
  [ ! -e repo/index/shot.json ] || fail "a refused publish wrote the index"
  expect 1 "$REEL" --token-file missing-file -C studio publish Shot --allow-dirty
  stderr_has "--token-file"
  expect 0 "$REEL" --token-file tokens -C studio publish Shot --allow-dirty
  grep -q "published Shot 1.0.0" "$WORK/out" || fail "publish: $(cat "$WORK/out")"
  [ -f repo/index/shot.json ] || fail "the index was not written"
  # Install over HTTP with the read token; verify; reel run sees the asset's [env].
  REEL_TOKEN=read-token-456 "$REEL" -q init job --repo blessed="$URL" >/dev/null
  REEL_TOKEN=read-token-456 expect 0 "$REEL" -C job add Shot
  expect 0 "$REEL" -C job verify
  cmp job/inputs/Shot/renders/frame.0012.exr studio/outputs/Shot/renders/frame.0012.exr || fail "bytes differ"
  expect 0 "$REEL" -C job run -- sh -c 'ls "$SHOT_FRAMES" | wc -l'
  [ "$(tr -d ' ' < "$WORK/out")" = 12 ] || fail "reel run: $(cat "$WORK/out")"
  # Without a token the server refuses reads too (a read-token file was given).
  REEL_TOKEN=read-token-456 "$REEL" -q init nojob --repo blessed="$URL" >/dev/null
  expect 1 "$REEL" -C nojob add Shot
  stderr_has "401"
  # The token never shows in errors or the server log.
  ! grep -q "write-token-123\|read-token-456" "$WORK/serve.log" "$WORK/err" || fail "a token leaked"
  # Promote from a local folder repo into the HTTP repo.
  "$REEL" -q repo init review --name review >/dev/null
  "$REEL" -q init rw --repo review=review >/dev/null
  shot rw/outputs/Lamp 3
  sed -i 's/"Shot"/"Lamp"/; s/SHOT_FRAMES/LAMP_FRAMES/' rw/outputs/Lamp/asset.toml
  "$REEL" -q -C rw publish Lamp --allow-dirty >/dev/null
  REEL_TOKEN=read-token-456 "$REEL" -q -C rw repo add blessed "$URL" >/dev/null
  REEL_TOKEN=write-token-123 expect 0 "$REEL" -C rw promote Lamp==1.0.0 --from review --to blessed
  [ -f repo/index/lamp.json ] || fail "promote did not publish"
  REEL_TOKEN=read-token-456 expect 0 "$REEL" rdeps Shot --repo "$URL"
  ;;
nginx)
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || fail "nginx is not installed (scripts/install-deps.sh)"
  "$REEL" -q repo init repo --name blessed >/dev/null
  "$REEL" -q init studio --repo blessed=repo >/dev/null
  shot studio/outputs/Shot 8
  "$REEL" -q -C studio publish Shot --allow-dirty >/dev/null
  port=$((20000 + RANDOM % 30000))
  mkdir -p nginx/tmp
  cat > nginx/nginx.conf <<EOF
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
    listen 127.0.0.1:$port;
    root $WORK/repo;
    location / { autoindex on; autoindex_format json; }
  }
}
EOF
  /usr/sbin/nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" &
  ngx=$!
  trap 'kill $ngx 2>/dev/null || true; chmod -R u+w "$WORK" 2>/dev/null; rm -rf "$WORK"' EXIT
  for _ in $(seq 1 100); do (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.05; done
  "$REEL" -q init job --repo blessed="http://127.0.0.1:$port" >/dev/null
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
  shot studio/outputs/Shot 24
  REEL_TOKEN=tok "$REEL" -q -C studio publish Shot --allow-dirty >/dev/null
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
  [ -z "$(ls -A node-cache/objects-v1/tmp 2>/dev/null)" ] || fail "temp files left in the cache"
  ;;
*)
  fail "unknown case $case_name"
  ;;
esac
echo "ok: $case_name"
