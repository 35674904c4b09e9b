#!/usr/bin/env bash
# Benchmarks the plugin generator, printing Markdown for the README:
#  1. GitLab requests and wall time per full and per unchanged refresh at
#     N = 100, 1,000, 10,000, next to Argo CD's SCM-provider generator run
#     against the same fake GitLab in the same process (hack/bench);
#  2. one cold scan each with gitlab.com's rate limit (2,000 requests a
#     minute) enforced by the fake: requests, 429s and wall time;
#  3. getparams latency (p50/p99, wrk) and peak RSS of the real binary
#     answering from a warm cache of 10,000 apps.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
apps=${APPS:-10000}
work=$(mktemp -d)
pid=""
cleanup() {
  if [[ -n $pid ]]; then kill "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
if ! command -v wrk >/dev/null; then
  apt-get update -qq >&2 && apt-get install -y -qq wrk >&2
fi

echo "## GitLab cost per refresh" 
(cd "$root/hack" && go test ./bench -run '^$' -bench Refresh -benchtime "${BENCHTIME:-3x}" -timeout 60m) |
  awk '/^Benchmark/ {
    split($1, p, "/"); n = p[2]; sub(/^N=/, "", n); what = p[3]; sub(/-[0-9]+$/, "", what)
    printf "| %s | %s | %.0f | %.1f |\n", n, what, $5, $3 / 1e6 }
    BEGIN { print "| projects | refresh | GitLab requests | ms |"; print "| ---: | --- | ---: | ---: |" }'

echo
echo "## A cold scan under gitlab.com's rate limit (2,000 requests a minute)"
(cd "$root/hack" && go test ./bench -run '^$' -bench ColdUnderGitLabLimits -benchtime 1x -timeout 60m) |
  awk '/^Benchmark/ {
    split($1, p, "/"); n = p[2]; sub(/^N=/, "", n); what = p[3]; sub(/-[0-9]+$/, "", what)
    printf "| %s | %s | %.0f | %.0f | %.1f |\n", n, what, $5, $7, $3 / 1e9 }
    BEGIN { print "| projects | scan | GitLab requests | answered 429 | s |"; print "| ---: | --- | ---: | ---: | ---: |" }'

echo
echo "## getparams from a warm cache of $apps apps"
go build -o "$work/plugin-generator" "$root/plugin-generator"
for i in $(seq 0 $((apps - 1))); do
  name=$(printf 'app-%05d' "$i")
  mkdir -p "$work/apps/team-$((i % 10))/$name"
  printf 'apiVersion: idp.vibe-coder.biz/v1alpha1\nkind: App\nmetadata:\n  name: %s\nspec:\n  owner: team-a\n  image: 123456789012.dkr.ecr.us-east-2.amazonaws.com/apps/%s:abc1234\n  port: 3000\n' "$name" "$name" \
    >"$work/apps/team-$((i % 10))/$name/app.yaml"
done
export IDP_BENCH_TOKEN=bench-token
printf '%s' "$IDP_BENCH_TOKEN" >"$work/token"
port=18089
"$work/plugin-generator" -source "dir:$work/apps" -token-file "$work/token" -listen "127.0.0.1:$port" 2>"$work/log" &
pid=$!
for _ in $(seq 600); do
  curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break
  sleep 0.1
done
bytes=$(curl -s -H "Authorization: Bearer $IDP_BENCH_TOKEN" -d '{}' "http://127.0.0.1:$port/api/v1/getparams.execute" | wc -c)
gzipped=$(curl -s -H "Accept-Encoding: gzip" -H "Authorization: Bearer $IDP_BENCH_TOKEN" -d '{}' "http://127.0.0.1:$port/api/v1/getparams.execute" | wc -c)
wrk -t2 -c4 -d"${DURATION:-15s}" --latency -s "$root/hack/bench/getparams.lua" "http://127.0.0.1:$port/api/v1/getparams.execute" >"$work/wrk"
p50=$(awk '$1 == "50%" {print $2}' "$work/wrk")
p99=$(awk '$1 == "99%" {print $2}' "$work/wrk")
rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk")
rss=$(awk '/VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$pid/status")
echo "| apps | answer (gzip) | p50 | p99 | requests/s | peak RSS |"
echo "| ---: | ---: | ---: | ---: | ---: | ---: |"
echo "| $apps | $((bytes / 1024)) KiB ($((gzipped / 1024)) KiB) | $p50 | $p99 | $rps | ${rss} MB |"
