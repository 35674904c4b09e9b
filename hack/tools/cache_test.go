// Package tools tests the builders in hack/tools: two runs on one machine
// must share one cache entry without corrupting it.
package tools

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// fakeGo stands in for the go command: a slow build that writes the file
// named by -o (or $GOBIN/<command> for go install) and counts builds.
const fakeGo = `#!/usr/bin/env bash
set -euo pipefail
case "$1 ${2:-}" in
  "mod download")
    dir="$FAKE_GO_DIR/mod"; mkdir -p "$dir/hack"; : >"$dir/hack/git-verify-wrapper.sh"; printf 'replace (\n\tk8s.io/api => ./staging/src/k8s.io/api\n)\n' >"$dir/go.mod"
    printf '{\n\t"Dir": "%s",\n\t"GoMod": "%s",\n\t"Sum": "h1:"\n}\n' "$dir" "$dir/go.mod" ;;
  "mod tidy") ;;
  build* | install*)
    echo build >>"$FAKE_GO_DIR/builds"
    sleep 0.5
    out=""; prev=""
    for a in "$@"; do [[ $prev == -o ]] && out=$a; prev=$a; done
    if [[ -z $out ]]; then pkg=${!#}; pkg=${pkg%@*}; [[ $pkg =~ /v[0-9]+$ ]] && pkg=${pkg%/*}; out="$GOBIN/${pkg##*/}"; fi
    mkdir -p "$(dirname "$out")"
    echo binary >"$out"; chmod +x "$out" ;;
  *) echo "fake go: unexpected $*" >&2; exit 1 ;;
esac
`

func TestConcurrentBuildsShareOneCacheEntry(t *testing.T) {
	for _, script := range []string{"helm.sh", "kustomize.sh", "staticcheck.sh", "kube.sh", "argocd.sh", "eso.sh", "promtool.sh"} {
		t.Run(script, func(t *testing.T) {
			bin, cache := t.TempDir(), t.TempDir()
			if err := os.WriteFile(filepath.Join(bin, "go"), []byte(fakeGo), 0o755); err != nil {
				t.Fatal(err)
			}
			outs := make([]string, 2)
			errs := make([]error, 2)
			var wg sync.WaitGroup
			for i := range 2 {
				wg.Go(func() {
					cmd := exec.Command("bash", script)
					cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"), "IDP_CACHE="+cache, "FAKE_GO_DIR="+cache)
					out, err := cmd.Output()
					outs[i], errs[i] = strings.TrimSpace(string(out)), err
					if ee, ok := err.(*exec.ExitError); ok {
						errs[i] = &runError{err, string(ee.Stderr)}
					}
				})
			}
			wg.Wait()
			for i := range 2 {
				if errs[i] != nil {
					t.Fatalf("run %d: %v", i, errs[i])
				}
			}
			if outs[0] != outs[1] {
				t.Fatalf("the runs disagree: %q and %q", outs[0], outs[1])
			}
			entry := outs[0]
			if fi, err := os.Stat(entry); err != nil || fi.IsDir() && isEmpty(entry) {
				t.Fatalf("cache entry %s missing or empty (%v)", entry, err)
			}
			builds, _ := os.ReadFile(filepath.Join(cache, "builds"))
			perRun := map[string]int{"kube.sh": 7}[script]
			if perRun == 0 {
				perRun = 1
			}
			if n := strings.Count(string(builds), "build"); n != perRun {
				t.Errorf("%d builds, want %d: the second run must wait for the first and reuse it", n, perRun)
			}
			leftovers, _ := filepath.Glob(filepath.Join(cache, "*.partial*"))
			if len(leftovers) > 0 {
				t.Errorf("partial builds left behind: %v", leftovers)
			}
		})
	}
}

type runError struct {
	err    error
	stderr string
}

func (e *runError) Error() string { return e.err.Error() + ": " + e.stderr }

func isEmpty(dir string) bool {
	entries, _ := os.ReadDir(dir)
	return len(entries) == 0
}
