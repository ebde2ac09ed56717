# Helpers shared by the HTTP benchmarks (run.sh, stk.sh), sourced: loopback servers for a folder
# repo, and timing. The caller sets `work` (its work folder), `reel` (the binary) and an array
# `pids` (server processes, killed by its cleanup trap), and defines `fail MESSAGE` (exit 1).

# start_reel_serve REPO LOG: `reel serve REPO` on a free loopback port (the kernel picks it, and
# reel prints it); sets serve_url.
start_reel_serve() {
  "$reel" serve "$1" --bind 127.0.0.1:0 2> "$2" &
  pids+=($!)
  local _
  for _ in $(seq 1 100); do grep -q "^serving " "$2" 2>/dev/null && break; sleep 0.05; done
  serve_url=$(grep -o "http://127.0.0.1:[0-9]*" "$2" | head -1)
  [ -n "$serve_url" ] || { cat "$2" >&2; fail "reel serve did not start"; }
}

# start_nginx REPO: Debian's nginx (its own config, pid, logs and temp paths under $work/nginx:
# sendfile, keep-alive, autoindex_format json) serving REPO on a free loopback port (a random one
# not in use; nginx's own bind decides a race); sets nginx_url.
start_nginx() {
  local root=$1 nginx=${NGINX:-/usr/sbin/nginx} port ngx _
  [ -x "$nginx" ] || fail "nginx is not installed (scripts/install-deps.sh)"
  mkdir -p "$work/nginx/tmp"
  nginx_url=""
  for _ in $(seq 1 20); do
    port=$((20000 + RANDOM % 30000))
    (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null && continue
    cat > "$work/nginx/nginx.conf" <<NGINX
worker_processes auto;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
$([ "$(id -u)" = 0 ] && echo "user root;")
events { worker_connections 256; }
http {
  access_log $work/nginx/access.log;
  client_body_temp_path $work/nginx/tmp;
  proxy_temp_path $work/nginx/tmp;
  fastcgi_temp_path $work/nginx/tmp;
  uwsgi_temp_path $work/nginx/tmp;
  scgi_temp_path $work/nginx/tmp;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  server {
    listen 127.0.0.1:$port;
    root $root;
    location / { autoindex on; autoindex_format json; }
  }
}
NGINX
    "$nginx" -c "$work/nginx/nginx.conf" -p "$work/nginx" 2>> "$work/nginx/stderr" &
    ngx=$!
    for _ in $(seq 1 100); do
      (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null && { nginx_url=http://127.0.0.1:$port; break; }
      kill -0 "$ngx" 2>/dev/null || break  # it exited: the port was taken meanwhile
      sleep 0.05
    done
    if [ -n "$nginx_url" ]; then pids+=("$ngx"); break; fi
    kill "$ngx" 2>/dev/null || true
  done
  [ -n "$nginx_url" ] || { cat "$work/nginx/stderr" "$work/nginx/error.log" >&2 2>/dev/null; fail "nginx did not start"; }
}

# measure NAME DIR CMD...: runs CMD in DIR; wall seconds (ms precision) into T[NAME], peak MB
# into M[NAME], user + system CPU seconds into C[NAME]. Output in $work/NAME.out/.err.
declare -A T M C
measure() {
  local name=$1 dir=$2
  shift 2
  local t0=$EPOCHREALTIME
  if ! (cd "$dir" && /usr/bin/time -f "%M %U %S" -o "$work/$name.time" "$@" > "$work/$name.out" 2> "$work/$name.err"); then
    tail -5 "$work/$name.err" >&2
    fail "$name: $*"
  fi
  local t1=$EPOCHREALTIME
  T[$name]=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
  local kb user sys
  read -r kb user sys < <(tail -1 "$work/$name.time")
  M[$name]=$((kb / 1024))
  C[$name]=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
}

# ratio A B: A / B to two decimals ("n/a" when B is 0); sum A B: A + B to three.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
sum() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a + b }'; }
# median A B C ...: the middle value (the lower middle of an even count).
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
