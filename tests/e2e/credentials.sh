#!/usr/bin/env bash
# Client credentials end to end (DESIGN §2 "Credentials", docs/http.md "Credentials (client)"):
# a token goes only to the repo URL it was configured for, whatever a workspace.toml names. The
# "second host" is Debian's nginx on 127.0.0.2 (another loopback address: plain http gets tokens
# there), logging the Authorization header of every request, serving the same folder repo.
#   second_host    reel serve (reads need a token) and the second host, both named by a hostile
#                  workspace.toml: REEL_TOKEN with REEL_TOKEN_URL reaches reel serve only;
#                  REEL_TOKEN alone is sent nowhere (a warning names REEL_TOKEN_URL)
#   token_file_key token-file keys naming /etc/hostname, a file outside ~/.config/reel or a
#                  symlink out of it: nothing read is sent (a warning names the key and path); a
#                  token file under ~/.config/reel reaches reel serve
#   netrc          ~/.netrc's Basic credentials reach their host only; a `default` entry is sent
#                  nowhere; $NETRC names another file; reel's own token wins (one header)
#   redirect       a repo URL answering 302 to the second host: not followed, with or without a
#                  token (the second host sees no request)
#   insecure_http  plain http to this machine's non-loopback address: no token (a warning names
#                  allow-insecure-token) unless the repo sets allow-insecure-token = true
#   publish        --token-file, REEL_TOKEN with REEL_TOKEN_URL, and a token-file key each
#                  publish to reel serve; REEL_TOKEN alone does not
# usage: credentials.sh REEL_BINARY CASE
source "$(dirname "$0")/lib.sh"
case_name=$2
KiB=1024
# Nothing of the user running the tests: their own netrc and config folder stay out of it.
export HOME="$WORK/home"
unset XDG_CONFIG_HOME NETRC REEL_TOKEN REEL_TOKEN_URL
mkdir -p "$HOME/.config/reel"

SERVERS=()
stop_servers() {
  local p
  for p in "${SERVERS[@]}"; do kill "$p" 2>/dev/null || true; done
}
trap 'stop_servers; chmod -R u+w "$WORK" 2>/dev/null || true; rm -rf "$WORK"' EXIT

need_nginx() {
  [ -x /usr/sbin/nginx ] || fail "nginx is not installed (scripts/install-deps.sh)"
}

# listening ADDR PORT: something accepts connections there (no byte is sent).
listening() { (: > "/dev/tcp/$1/$2") 2>/dev/null; }

# serve REPO [ARGS...]: reel serve on a free port of 127.0.0.1; sets URL. Log: $WORK/serve.log.
serve() {
  local repo=$1 pid
  shift
  "$REEL" serve "$repo" --bind 127.0.0.1:0 "$@" 2> "$WORK/serve.log" &
  pid=$!
  SERVERS+=("$pid")
  for _ in $(seq 1 400); do  # up to 20 s
    grep -q "^serving " "$WORK/serve.log" 2>/dev/null && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  URL=$(grep -o "http://127.0.0.1:[0-9]*" "$WORK/serve.log" | head -1)
  [ -n "$URL" ] || { cat "$WORK/serve.log"; fail "reel serve did not start"; }
}

# nginx_start BLOCKS ADDR...: Debian's nginx with the server blocks that the function BLOCKS
# prints (using $PORT, a free port, and the log format `auth`), up once every ADDR listens on
# $PORT. Each block logs to its own file in $WORK/nginx.
nginx_start() {
  local blocks=$1 ngx a up
  shift
  need_nginx
  mkdir -p "$WORK/nginx/tmp"
  for _ in 1 2 3 4 5; do
    # Below the kernel's ephemeral range (32768 and up), so no client socket holds the port.
    PORT=$((20000 + RANDOM % 12000))
    up=
    for a in "$@"; do listening "$a" "$PORT" && up=taken; done
    [ -z "$up" ] || continue
    cat > "$WORK/nginx/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
$( [ "$(id -u)" = 0 ] && echo "user root;" )
events { worker_connections 64; }
http {
  log_format auth '\$server_addr "\$request" \$status auth="\$http_authorization"';
  client_body_temp_path $WORK/nginx/tmp;
  proxy_temp_path $WORK/nginx/tmp;
  fastcgi_temp_path $WORK/nginx/tmp;
  uwsgi_temp_path $WORK/nginx/tmp;
  scgi_temp_path $WORK/nginx/tmp;
$($blocks)
}
EOF
    /usr/sbin/nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" &
    ngx=$!
    SERVERS+=("$ngx")
    for _ in $(seq 1 400); do
      up=yes
      for a in "$@"; do listening "$a" "$PORT" || up=; done
      [ -n "$up" ] && return 0
      kill -0 "$ngx" 2>/dev/null || break  # it could not bind the port: try another
      sleep 0.05
    done
  done
  cat "$WORK/nginx/error.log"
  fail "nginx did not start"
}

# repo_block ADDR LOG [ROOT]: a server block serving ROOT (default $WORK/repo, the folder repo)
# read-only on ADDR:$PORT, logging to LOG.
repo_block() {
  echo "  server { listen $1:$PORT; root ${3:-$WORK/repo}; access_log $WORK/nginx/$2 auth;"
  echo "           location / { autoindex on; autoindex_format json; } }"
}
second_host() { repo_block 127.0.0.2 second.log "$WORK/www"; }  # www/blessed-copy: the repo
two_hosts() { repo_block 127.0.0.1 first.log; repo_block 127.0.0.2 second.log; }

# requests LOG: the log's request lines (a connection that sent nothing is no request).
requests() { grep ' "GET \| "HEAD \| "POST \| "PUT ' "$WORK/nginx/$1" 2>/dev/null || true; }
# no_auth_in LOG: LOG holds requests, none of them with an Authorization header.
no_auth_in() {
  [ -n "$(requests "$1")" ] || fail "$1: no request reached the server (the case tests nothing)"
  if requests "$1" | grep -v 'auth="-"$' >/dev/null; then
    requests "$1"
    fail "$1: a request carried an Authorization header"
  fi
}
# only_auth_in LOG VALUE: LOG holds requests, each with exactly that Authorization header and
# none refused as malformed (nginx answers 400 to a request with two Authorization headers).
only_auth_in() {
  [ -n "$(requests "$1")" ] || fail "$1: no request reached the server"
  if requests "$1" | grep -vF " auth=\"$2\"" >/dev/null || requests "$1" | grep -q '" 400 auth='; then
    requests "$1"
    fail "$1: a request without '$2', or refused with 400"
  fi
}
# fresh_logs: empties nginx's logs (it keeps its files open and appends).
fresh_logs() {
  local f
  for f in "$WORK"/nginx/*.log; do : > "$f"; done
}

# published_repo: a folder repo `repo` with Shot 1.0.0 (4 frames), published locally.
published_repo() {
  "$REEL" -q repo init repo --name blessed >/dev/null
  "$REEL" -q init studio --repo blessed=repo >/dev/null
  shot studio/outputs/Shot 4 $((64 * KiB))
  "$REEL" -q -C studio publish Shot --allow-dirty >/dev/null
}

# workspace DIR [TOML...]: DIR with a workspace.toml of the [[repo]] tables given (each a
# string of TOML lines) and the requirement Shot = "*"; fresh, with its own cache.
workspace() {
  local dir=$1 t
  shift
  rm -rf "$dir"
  mkdir -p "$dir"
  {
    printf '[workspace]\nname = "%s"\nlink-mode = "copy"\n' "$dir"
    for t in "$@"; do printf '\n[[repo]]\n%s\n' "$t"; done
    printf '\n[requirements]\nShot = "*"\n'
  } > "$dir/workspace.toml"
  export REEL_CACHE_DIR="$WORK/cache-$dir"
}

case "$case_name" in
second_host)
  published_repo
  echo "read-secret-456" > read-tokens
  echo "write-secret-123" > tokens
  serve repo --token-file tokens --read-token-file read-tokens
  mkdir www && cp -r repo www/blessed-copy
  nginx_start second_host 127.0.0.2
  second="http://127.0.0.2:$PORT/blessed-copy"
  # A hostile workspace.toml: the second host first, then the real repo (both searched).
  hostile=("name = \"mirror\"
url = \"$second\"
blessed = true" "name = \"blessed\"
url = \"$URL\"
blessed = true")
  # REEL_TOKEN with REEL_TOKEN_URL: reel serve gets it (it refuses reads without one), the
  # second host does not.
  workspace job "${hostile[@]}"
  REEL_TOKEN=read-secret-456 REEL_TOKEN_URL="$URL" expect 0 "$REEL" -C job sync
  expect 0 "$REEL" -C job verify
  no_auth_in second.log
  # REEL_TOKEN_URL lists several URLs; a path prefix on a segment boundary.
  fresh_logs
  workspace job2 "${hostile[@]}"
  REEL_TOKEN=read-secret-456 REEL_TOKEN_URL="http://127.0.0.1:1/other $URL/" expect 0 "$REEL" -C job2 sync
  no_auth_in second.log
  fresh_logs
  workspace job3 "name = \"mirror\"
url = \"$second\"
blessed = true"
  REEL_TOKEN=read-secret-456 REEL_TOKEN_URL="http://127.0.0.2:$PORT/bless" expect 0 "$REEL" -C job3 sync
  no_auth_in second.log  # /bless does not cover /blessed-copy
  # REEL_TOKEN alone is sent nowhere: reel serve refuses (401), the second host sees no token.
  fresh_logs
  workspace job4 "${hostile[@]}"
  REEL_TOKEN=read-secret-456 expect 1 "$REEL" -C job4 sync
  stderr_has "warning: REEL_TOKEN is set but REEL_TOKEN_URL is not"
  stderr_has "401"
  [ "$(grep -c "REEL_TOKEN_URL is not" "$WORK/err")" = 1 ] || { cat "$WORK/err"; fail "warned more than once"; }
  no_auth_in second.log
  ! grep -q "secret" "$WORK/err" "$WORK/serve.log" || fail "a token leaked into a message"
  ;;
token_file_key)
  published_repo
  echo "read-secret-456" > read-tokens
  echo "write-secret-123" > tokens
  serve repo --token-file tokens --read-token-file read-tokens
  mkdir www && cp -r repo www/blessed-copy
  nginx_start second_host 127.0.0.2
  second="http://127.0.0.2:$PORT/blessed-copy"
  [ -s /etc/hostname ] || fail "this test needs a non-empty /etc/hostname"
  echo "node-secret-789" > node-secret
  ln -s "$WORK/node-secret" "$HOME/.config/reel/link.token"
  mkdir -p "$HOME/.config/reel-other"
  echo "node-secret-789" > "$HOME/.config/reel-other/t"
  for key in /etc/hostname "$WORK/node-secret" ../../../node-secret link.token ../reel-other/t; do
    fresh_logs
    workspace job "name = \"mirror\"
url = \"$second\"
token-file = \"$key\""
    expect 0 "$REEL" -C job sync
    no_auth_in second.log
    stderr_has "warning: repo 'mirror': token-file '$key'"
    stderr_has "ignored"
    ! grep -q "node-secret-789" "$WORK/err" || fail "a file's content leaked into a message"
  done
  # A token file under ~/.config/reel (a relative key is relative to that folder) reaches reel
  # serve, which refuses reads without a token.
  cp read-tokens "$HOME/.config/reel/blessed.token"
  workspace job2 "name = \"blessed\"
url = \"$URL\"
token-file = \"blessed.token\""
  expect 0 "$REEL" -C job2 sync
  expect 0 "$REEL" -C job2 verify
  ! grep -q "warning" "$WORK/err" || { cat "$WORK/err"; fail "a warning for a token file in the config folder"; }
  # XDG_CONFIG_HOME moves the folder.
  mkdir -p xdg/reel
  cp read-tokens xdg/reel/blessed.token
  rm "$HOME/.config/reel/blessed.token"
  workspace job3 "name = \"blessed\"
url = \"$URL\"
token-file = \"blessed.token\""
  XDG_CONFIG_HOME="$WORK/xdg" expect 0 "$REEL" -C job3 sync
  ;;
netrc)
  published_repo
  nginx_start two_hosts 127.0.0.1 127.0.0.2
  first="http://127.0.0.1:$PORT"
  second="http://127.0.0.2:$PORT"
  both=("name = \"first\"
url = \"$first\"
blessed = true" "name = \"second\"
url = \"$second\"
blessed = true")
  basic() { printf 'Basic %s' "$(printf '%s' "$1" | base64)"; }
  # The machine entry's credentials go to that host only.
  printf 'machine 127.0.0.1\n  login reel\n  password netrc-secret\n' > "$HOME/.netrc"
  workspace job "${both[@]}"
  expect 0 "$REEL" -C job sync
  only_auth_in first.log "$(basic reel:netrc-secret)"
  no_auth_in second.log
  # A `default` entry (libcurl would send it to any host) is used for none.
  fresh_logs
  printf 'default login reel password default-secret\nmachine 127.0.0.1 login reel password netrc-secret\n' > "$HOME/.netrc"
  workspace job2 "${both[@]}"
  expect 0 "$REEL" -C job2 sync
  no_auth_in first.log
  no_auth_in second.log
  # $NETRC names another file.
  fresh_logs
  printf 'machine 127.0.0.2 login farm password other-secret\n' > other.netrc
  workspace job3 "${both[@]}"
  NETRC="$WORK/other.netrc" expect 0 "$REEL" -C job3 sync
  no_auth_in first.log
  only_auth_in second.log "$(basic farm:other-secret)"
  # reel's own token wins over the netrc entry: one Authorization header (nginx answers 400 to
  # a request with two).
  fresh_logs
  printf 'machine 127.0.0.1 login reel password netrc-secret\n' > "$HOME/.netrc"
  workspace job4 "${both[@]}"
  REEL_TOKEN=bearer-secret REEL_TOKEN_URL="$first" expect 0 "$REEL" -C job4 sync
  only_auth_in first.log "Bearer bearer-secret"
  no_auth_in second.log
  ;;
redirect)
  published_repo
  redirecting() {
    echo "  server { listen 127.0.0.1:$PORT; access_log $WORK/nginx/first.log auth;"
    echo "           return 302 http://127.0.0.2:$PORT\$request_uri; }"
    repo_block 127.0.0.2 second.log
  }
  nginx_start redirecting 127.0.0.1 127.0.0.2
  first="http://127.0.0.1:$PORT"
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$first/reel-repo.json")" = 302 ] || fail "nginx does not redirect"
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.2:$PORT/reel-repo.json")" = 200 ] || fail "the second host does not serve the repo"
  fresh_logs
  echo "redirect-secret" > tok
  REEL_TOKEN=redirect-secret REEL_TOKEN_URL="$first" expect 1 "$REEL" init ws1 --repo blessed="$first"
  stderr_starts_with_error
  stderr_has "$first/reel-repo.json: HTTP 302"
  expect 1 "$REEL" --token-file tok init ws2 --repo blessed="$first"
  stderr_has "HTTP 302"
  workspace job "name = \"blessed\"
url = \"$first\""
  expect 1 "$REEL" --token-file tok -C job sync
  stderr_has "HTTP 302"
  requests first.log | grep -q 'auth="Bearer redirect-secret"' || { requests first.log; fail "the token did not reach the repo URL"; }
  [ -z "$(requests second.log)" ] || { requests second.log; fail "the redirect was followed"; }
  ;;
insecure_http)
  published_repo
  addr=$(hostname -I 2>/dev/null | tr ' ' '\n' | grep -E '^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$' | grep -v '^127\.' | head -1 || true)
  [ -n "$addr" ] || fail "this machine has no non-loopback IPv4 address (hostname -I) to test plain http with"
  far() { repo_block "$addr" far.log; }
  nginx_start far "$addr"
  url="http://$addr:$PORT"
  echo "insecure-secret" > tok
  workspace job "name = \"far\"
url = \"$url\""
  expect 0 "$REEL" --token-file tok -C job sync
  no_auth_in far.log
  stderr_has "warning: repo 'far' ($url): plain http to a host that is not loopback"
  stderr_has "allow-insecure-token"
  fresh_logs
  REEL_TOKEN=insecure-secret REEL_TOKEN_URL="$url" expect 0 "$REEL" rdeps Shot --repo "$url"
  stderr_has "allow-insecure-token"
  no_auth_in far.log
  # The repo allows it: the token goes.
  fresh_logs
  workspace job2 "name = \"far\"
url = \"$url\"
allow-insecure-token = true"
  expect 0 "$REEL" --token-file tok -C job2 sync
  ! grep -q "warning" "$WORK/err" || { cat "$WORK/err"; fail "a warning with allow-insecure-token"; }
  only_auth_in far.log "Bearer insecure-secret"
  ;;
publish)
  "$REEL" -q repo init repo --name blessed >/dev/null
  echo "write-secret-123" > tokens
  serve repo --token-file tokens
  "$REEL" -q init studio --repo blessed="$URL" >/dev/null
  shot studio/outputs/Shot 4 $((64 * KiB))
  # REEL_TOKEN alone: not sent, so the server refuses (401) and says why.
  REEL_TOKEN=write-secret-123 expect 1 "$REEL" -C studio publish Shot --allow-dirty
  stderr_has "REEL_TOKEN_URL"
  stderr_has "401"
  [ ! -e repo/index/shot.json ] || fail "a refused publish wrote the index"
  # --token-file (relative to the current directory).
  expect 0 "$REEL" --token-file tokens -C studio publish Shot --allow-dirty
  grep -q "published Shot 1.0.0" "$WORK/out" || fail "publish: $(cat "$WORK/out")"
  [ -f repo/index/shot.json ] || fail "the index was not written"
  # REEL_TOKEN with REEL_TOKEN_URL.
  sed -i 's/^version = .*/version = "1.1.0"/' studio/outputs/Shot/asset.toml
  REEL_TOKEN=write-secret-123 REEL_TOKEN_URL="$URL" expect 0 "$REEL" -C studio publish Shot --allow-dirty
  grep -q "published Shot 1.1.0" "$WORK/out" || fail "publish: $(cat "$WORK/out")"
  # The repo's token-file key, under ~/.config/reel.
  cp tokens "$HOME/.config/reel/blessed.token"
  sed -i "s|^url = \"$URL\"\$|&\ntoken-file = \"blessed.token\"|" studio/workspace.toml
  grep -q '^token-file = "blessed.token"$' studio/workspace.toml || fail "no token-file key: $(cat studio/workspace.toml)"
  sed -i 's/^version = .*/version = "1.2.0"/' studio/outputs/Shot/asset.toml
  expect 0 "$REEL" -C studio publish Shot --allow-dirty
  grep -q "published Shot 1.2.0" "$WORK/out" || fail "publish: $(cat "$WORK/out")"
  [ "$(jq '.versions | length' repo/index/shot.json)" = 3 ] || fail "the index lacks a version"
  ! grep -q "write-secret-123" "$WORK/serve.log" || fail "the token leaked into the server log"
  ;;
*)
  fail "unknown case $case_name"
  ;;
esac
echo "ok: $case_name"
