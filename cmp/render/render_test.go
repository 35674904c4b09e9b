package render_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/vibe-coder-biz/idp/appspec"
	"github.com/vibe-coder-biz/idp/cmp/render"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// testPlatform is the embedded default with a certificate, as on EKS.
func testPlatform() appspec.Platform {
	p := appspec.DefaultPlatform()
	p.CertificateARN = "arn:aws:acm:us-east-2:123456789012:certificate/0f1e2d3c-4b5a-6978-8877-665544332211"
	return p
}

// cases lists testdata/<case>/app.yaml.
func cases(t testing.TB) []string {
	dirs, err := filepath.Glob("testdata/*/app.yaml")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	for i, d := range dirs {
		dirs[i] = filepath.Dir(d)
	}
	return dirs
}

func load(t testing.TB, dir string) *appspec.App {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "app.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	app, err := appspec.Load("app.yaml", data, testPlatform())
	if err != nil {
		t.Fatal(err)
	}
	return app
}

func renderBoth(t testing.TB, app *appspec.App) (appYAML, projectYAML []byte) {
	t.Helper()
	a, err := render.YAML(render.App(app, testPlatform()))
	if err != nil {
		t.Fatal(err)
	}
	objs, err := render.Project(app, testPlatform(), "https://gitlab.example.com/gitops/"+app.Metadata.Name+".git")
	if err != nil {
		t.Fatal(err)
	}
	p, err := render.YAML(objs)
	if err != nil {
		t.Fatal(err)
	}
	return a, p
}

// TestGolden compares each case's render with its golden files; run with
// -update to accept a deliberate change, then review the diff.
func TestGolden(t *testing.T) {
	for _, dir := range cases(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			a, p := renderBoth(t, load(t, dir))
			golden(t, filepath.Join(dir, "app.golden.yaml"), a)
			golden(t, filepath.Join(dir, "project.golden.yaml"), p)
		})
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the render; run go test ./cmp/render -update and review the diff", path)
	}
}

func TestProjectNeedsRepoURL(t *testing.T) {
	app := load(t, "testdata/hello-world")
	if objs, err := render.Project(app, testPlatform(), ""); err == nil || objs != nil {
		t.Fatalf("objs=%v err=%v", objs, err)
	}
}
