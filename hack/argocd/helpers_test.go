package argocd

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/vibe-coder-biz/idp/internal/kubetest"
)

// renderObjects runs `cmp ARGS...` from the repository and decodes its YAML
// into plain JSON objects, the form Argo CD compares.
func renderObjects(t *testing.T, args ...string) []map[string]any {
	t.Helper()
	cmd := exec.Command("go", append([]string{"run", "./cmp"}, args...)...)
	cmd.Dir = kubetest.RepoRoot(t)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("cmp %v: %v", args, err)
	}
	objs, err := kubetest.Decode(out)
	if err != nil {
		t.Fatal(err)
	}
	var res []map[string]any
	for _, o := range objs {
		data, _ := json.Marshal(o.Object)
		var m map[string]any
		_ = json.Unmarshal(data, &m)
		res = append(res, m)
	}
	return res
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
