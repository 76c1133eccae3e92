#!/usr/bin/env bash
# Serve the playground to a classroom: N app processes behind nginx, with sticky sessions.
#
#   bash scripts/serve.sh [N] [PORT]      N app processes (default: the number of cores), nginx on PORT (8080)
#
# One Streamlit process runs every session's script in one Python process, so it uses about one
# core: N processes use N cores. nginx sends a new browser to the process with the fewest open
# connections and keeps it there (a cookie, `nnp_replica`), so its websocket, its uploads and a
# reconnect after a network hiccup all find their session. A process that dies is started again; the page comes back from its link.
# Ctrl-C or SIGTERM stops everything.
#
# Environment: NNP_BIND (address nginx listens on, default 0.0.0.0: the classroom's machines),
# NNP_RUN_DIR (logs, nginx config, pids; default /tmp/nnp-serve-PORT), PYTHON (default: .venv's
# python, else python3), NNP_COOKIE_SECRET (shared by the processes; default: a new random one).
set -euo pipefail
cd "$(dirname "$0")/.."

N=${1:-$(nproc)}
PORT=${2:-8080}
BIND=${NNP_BIND:-0.0.0.0}
RUN_DIR=${NNP_RUN_DIR:-/tmp/nnp-serve-$PORT}
if [ -z "${PYTHON:-}" ]; then
    if [ -x .venv/bin/python ]; then PYTHON=.venv/bin/python; else PYTHON=python3; fi
fi
case "$N" in ''|*[!0-9]*|0) echo "usage: serve.sh [N >= 1] [PORT]" >&2; exit 2;; esac

# nginx from Debian's package where it is missing (as scripts/test.sh installs Chromium).
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
if [ ! -x "$NGINX" ]; then
    if [ "$(id -u)" = 0 ]; then
        (apt-get install -y -qq nginx >/dev/null 2>&1) \
            || (apt-get update -qq && apt-get install -y -qq nginx >/dev/null)
    else
        sudo apt-get install -y -qq nginx
    fi
    NGINX=$(command -v nginx || echo /usr/sbin/nginx)
fi

mkdir -p "$RUN_DIR/tmp"
# nginx started as root runs its workers as nobody: they write request bodies (uploads) here.
[ "$(id -u)" = 0 ] && chown nobody "$RUN_DIR/tmp"
rm -f "$RUN_DIR"/app-*.log "$RUN_DIR"/app-*.pid
# Two malloc arenas, not one per thread: with a script thread per tab, glibc's arenas kept the
# memory of closed tabs (measured: RSS 1.23 times idle after 15 tabs closed; 1.01 with two).
export MALLOC_ARENA_MAX=2
export STREAMLIT_SERVER_COOKIE_SECRET=${NNP_COOKIE_SECRET:-$("$PYTHON" -c 'import secrets; print(secrets.token_hex(32))')}

echo "Warming the engine's compiled-code cache (a cold cache takes a minute or two)..."
"$PYTHON" -m engine.warmup

APP_PORTS=()
for i in $(seq 1 "$N"); do APP_PORTS+=("$((PORT + i))"); done

write_nginx_conf() {
    local servers="" pins="" names=""
    for i in "${!APP_PORTS[@]}"; do
        servers+="        server 127.0.0.1:${APP_PORTS[$i]} max_fails=1 fail_timeout=2s;"$'\n'
        pins+="        r$i 127.0.0.1:${APP_PORTS[$i]};"$'\n'
        names+="        ~127\\.0\\.0\\.1:${APP_PORTS[$i]}\$ r$i;"$'\n'
    done
    cat > "$RUN_DIR/nginx.conf" <<EOF
# Written by scripts/serve.sh: $N app processes behind one nginx.
daemon off;
worker_processes 1;
pid $RUN_DIR/nginx.pid;
error_log $RUN_DIR/nginx-error.log warn;
events { worker_connections 4096; }
http {
    log_format nnp '\$time_iso8601 \$remote_addr "\$request" \$status replica=\$cookie_nnp_replica upstream=\$upstream_addr';
    access_log $RUN_DIR/access.log nnp;
    client_body_temp_path $RUN_DIR/tmp/body;
    proxy_temp_path $RUN_DIR/tmp/proxy;
    fastcgi_temp_path $RUN_DIR/tmp/fastcgi;
    uwsgi_temp_path $RUN_DIR/tmp/uwsgi;
    scgi_temp_path $RUN_DIR/tmp/scgi;
    client_max_body_size 6m;        # Streamlit's own upload limit is 5 MB (.streamlit/config.toml)

    map \$http_upgrade \$connection_upgrade { default upgrade; '' close; }

    # Sticky sessions. A browser without a (valid) nnp_replica cookie goes to the app process with
    # the fewest open connections (each tab holds one websocket) and is pinned there by the cookie.
    upstream app {
        least_conn;
$servers    }
    map \$cookie_nnp_replica \$nnp_backend {
        default app;
$pins    }
    map \$upstream_addr \$nnp_replica {     # the process that answered (the last one tried)
        default '';
$names    }
    map \$nnp_backend \$nnp_pin {
        app "nnp_replica=\$nnp_replica; Path=/; HttpOnly; SameSite=Lax";
        default '';
    }

    server {
        listen $BIND:$PORT;
        proxy_http_version 1.1;
        proxy_set_header Upgrade \$http_upgrade;
        proxy_set_header Connection \$connection_upgrade;
        proxy_set_header Host \$http_host;
        proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
        proxy_read_timeout 1h;              # a live websocket may be quiet while a tab is paused
        proxy_send_timeout 1h;
        proxy_buffering off;                # live frames go out as they come
        location / {
            proxy_pass http://\$nnp_backend;
            add_header Set-Cookie \$nnp_pin always;
            add_header X-NNP-Upstream \$upstream_addr always;
            error_page 502 504 = @repin;    # the pinned process is down (restarting): pick another
        }
        location @repin {
            proxy_pass http://app;
            add_header Set-Cookie "nnp_replica=\$nnp_replica; Path=/; HttpOnly; SameSite=Lax" always;
            add_header X-NNP-Upstream \$upstream_addr always;
        }
    }
}
EOF
}

start_app() {      # $1: the process's index (0-based)
    local port=${APP_PORTS[$1]}
    NNP_REPLICA=$1 PYTHONUNBUFFERED=1 "$PYTHON" -m streamlit run app.py \
        --server.headless true --server.address 127.0.0.1 --server.port "$port" \
        >> "$RUN_DIR/app-$1.log" 2>&1 &
    APP_PIDS[$1]=$!
    echo "${APP_PIDS[$1]}" > "$RUN_DIR/app-$1.pid"
}

STOPPING=0
stop_all() {
    STOPPING=1
    trap '' INT TERM
    echo "Stopping..."
    [ -n "${NGINX_PID:-}" ] && kill "$NGINX_PID" 2>/dev/null || true
    for pid in "${APP_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${APP_PIDS[@]}" ${NGINX_PID:-}; do
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    done
    wait 2>/dev/null || true
    rm -f "$RUN_DIR"/app-*.pid "$RUN_DIR/nginx.pid"
    exit 0
}
trap stop_all INT TERM

APP_PIDS=()
for i in $(seq 0 $((N - 1))); do start_app "$i"; done
write_nginx_conf
"$NGINX" -p "$RUN_DIR" -e "$RUN_DIR/nginx-error.log" -c "$RUN_DIR/nginx.conf" &
NGINX_PID=$!

for i in $(seq 0 $((N - 1))); do       # traffic once every process answers its health check
    until "$PYTHON" -c "import urllib.request as u; u.urlopen('http://127.0.0.1:${APP_PORTS[$i]}/_stcore/health', timeout=2)" 2>/dev/null; do
        kill -0 "${APP_PIDS[$i]}" 2>/dev/null || { echo "app process $i failed; see $RUN_DIR/app-$i.log" >&2; stop_all; }
        sleep 0.5
    done
done
echo "Serving $N app processes on http://127.0.0.1:$PORT (listening on $BIND; logs in $RUN_DIR). Ctrl-C stops."

while [ "$STOPPING" = 0 ]; do      # a process that died is started again
    sleep 1 & wait $! || true
    for i in $(seq 0 $((N - 1))); do
        if ! kill -0 "${APP_PIDS[$i]}" 2>/dev/null && [ "$STOPPING" = 0 ]; then
            echo "app process $i (pid ${APP_PIDS[$i]}) exited; starting it again" | tee -a "$RUN_DIR/app-$i.log"
            wait "${APP_PIDS[$i]}" 2>/dev/null || true
            start_app "$i"
        fi
    done
    kill -0 "$NGINX_PID" 2>/dev/null || { echo "nginx stopped; see $RUN_DIR/nginx-error.log" >&2; stop_all; }
done
