#!/usr/bin/env bash
# Start N Streamlit replicas of expnet on loopback and nginx in front of them.
#
#   deploy/run_replicas.sh [--replicas N] [--port PORT] [--base-port PORT] [--app FILE]
#                          [--run-dir DIR] [--python PYTHON]
#
# Replica k listens on 127.0.0.1:(base-port + k); nginx listens on 127.0.0.1:PORT and
# spreads new browser sessions over the replicas, keeping each one on its replica (see
# deploy/nginx.conf.template). All replicas share one cookie secret, so XSRF cookies
# signed by one replica are accepted by the others. Logs go to the run folder:
# replica-PORT.log for each replica, access.log (with upstream=ADDRESS per request) and
# error.log for nginx.
#
# Prints "READY http://127.0.0.1:PORT" when every replica and nginx answer, then runs
# until nginx or a replica exits, or until SIGINT/SIGTERM; it then stops all of them.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"

replicas=2
port=8080
base_port=8501
app="app.py"
run_dir=""
python="${PYTHON:-}"

usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; }

while [[ $# -gt 0 ]]; do
    case "$1" in
        --replicas) replicas="$2"; shift 2 ;;
        --port) port="$2"; shift 2 ;;
        --base-port) base_port="$2"; shift 2 ;;
        --app) app="$2"; shift 2 ;;
        --run-dir) run_dir="$2"; shift 2 ;;
        --python) python="$2"; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "run_replicas.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done

for value in "$replicas" "$port" "$base_port"; do
    [[ "$value" =~ ^[0-9]+$ ]] || { echo "run_replicas.sh: not a number: $value" >&2; exit 2; }
done
if (( replicas < 1 || replicas > 32 )); then
    echo "run_replicas.sh: --replicas must be from 1 to 32" >&2; exit 2
fi

nginx_bin="$(command -v nginx || true)"
[[ -z "$nginx_bin" && -x /usr/sbin/nginx ]] && nginx_bin=/usr/sbin/nginx
if [[ -z "$nginx_bin" ]]; then
    echo "run_replicas.sh: nginx is not installed (apt-get install -y nginx-light)" >&2
    exit 2
fi
if [[ -z "$python" ]]; then
    if [[ -x "$repo/.venv/bin/python" ]]; then python="$repo/.venv/bin/python"; else python=python3; fi
fi
if [[ -z "$run_dir" ]]; then
    run_dir="$(mktemp -d "${TMPDIR:-/tmp}/expnet-replicas.XXXXXX")"
fi
mkdir -p "$run_dir"
run_dir="$(cd "$run_dir" && pwd)"
# nginx workers run as an unprivileged user when started by root; they need to reach
# their temp folders inside the run folder.
chmod 755 "$run_dir"

# One secret for every replica, passed in the environment (not on the command line,
# where other local users could read it with ps).
if [[ -z "${STREAMLIT_SERVER_COOKIE_SECRET:-}" ]]; then
    STREAMLIT_SERVER_COOKIE_SECRET="$("$python" -c 'import secrets; print(secrets.token_hex(32))')"
fi
export STREAMLIT_SERVER_COOKIE_SECRET

pids=()
cleanup() {
    trap - EXIT INT TERM
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

upstreams=""
for (( k = 0; k < replicas; k++ )); do
    p=$(( base_port + k ))
    (cd "$repo" && exec "$python" -m streamlit run "$app" \
        --server.headless=true \
        --server.address=127.0.0.1 \
        --server.port="$p" \
        --server.fileWatcherType=none \
        --browser.gatherUsageStats=false) >"$run_dir/replica-$p.log" 2>&1 &
    pids+=("$!")
    upstreams+="        server 127.0.0.1:$p max_fails=1 fail_timeout=5s;"$'\n'
done

healthy() {
    "$python" - "$1" <<'PY'
import sys, urllib.request
try:
    with urllib.request.urlopen(sys.argv[1], timeout=2) as r:
        sys.exit(0 if r.read().strip() == b"ok" else 1)
except OSError:
    sys.exit(1)
PY
}

# started PORT PID WHAT LOG: wait until the server on PORT answers its health check; if
# process PID exits or the deadline passes first, say that WHAT did not start, show the end
# of its LOG and stop everything.
deadline=$(( SECONDS + 90 ))
started() {
    until healthy "http://127.0.0.1:$1/_stcore/health"; do
        if ! kill -0 "$2" 2>/dev/null || (( SECONDS > deadline )); then
            echo "run_replicas.sh: $3 did not start; its log ($4):" >&2
            tail -n 30 "$4" >&2 || true
            exit 1
        fi
        sleep 0.2
    done
}

for (( k = 0; k < replicas; k++ )); do
    p=$(( base_port + k ))
    started "$p" "${pids[$k]}" "replica on port $p" "$run_dir/replica-$p.log"
done

conf="$run_dir/nginx.conf"
"$python" - "$here/nginx.conf.template" "$conf" "$run_dir" "127.0.0.1:$port" "$upstreams" <<'PY'
import sys
template, out, prefix, listen, upstreams = sys.argv[1:]
text = open(template).read()
for key, value in {"PREFIX": prefix, "LISTEN": listen, "UPSTREAMS": upstreams.rstrip("\n")}.items():
    text = text.replace(f"@@{key}@@", value)
open(out, "w").write(text)
PY
"$nginx_bin" -t -q -p "$run_dir" -c "$conf" -e "$run_dir/error.log"
"$nginx_bin" -p "$run_dir" -c "$conf" -e "$run_dir/error.log" &
pids+=("$!")

started "$port" "${pids[-1]}" nginx "$run_dir/error.log"

echo "READY http://127.0.0.1:$port replicas=$replicas run_dir=$run_dir"
# Run until the first child exits (or a signal arrives); cleanup stops the rest.
wait -n "${pids[@]}" || true
echo "run_replicas.sh: a replica or nginx exited; stopping the others" >&2
exit 1
