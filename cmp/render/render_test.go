package render_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
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
	app, err := appspec.Load("app.yaml", data, platformOf(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	return app
}

// platformOf is testPlatform with a case's platform.env (KEY=VALUE lines)
// over it, as the sidecar's environment would set them.
func platformOf(t testing.TB, dir string) appspec.Platform {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "platform.env"))
	if os.IsNotExist(err) {
		return testPlatform()
	}
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{appspec.EnvCertificateARN: testPlatform().CertificateARN}
	for line := range strings.Lines(string(data)) {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), "="); ok {
			env[k] = v
		}
	}
	p, err := appspec.PlatformFromEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// renderCase renders a case's app and AppProject with its platform.
func renderCase(t testing.TB, dir string) (appYAML, projectYAML []byte) {
	t.Helper()
	return renderBoth(t, load(t, dir), platformOf(t, dir))
}

func renderBoth(t testing.TB, app *appspec.App, p appspec.Platform) (appYAML, projectYAML []byte) {
	t.Helper()
	a, err := render.YAML(render.App(app, p))
	if err != nil {
		t.Fatal(err)
	}
	objs, err := render.Project(app, p, "https://gitlab.example.com/gitops/"+app.Metadata.Name+".git")
	if err != nil {
		t.Fatal(err)
	}
	pr, err := render.YAML(objs)
	if err != nil {
		t.Fatal(err)
	}
	return a, pr
}

// TestGolden compares each case's render with its golden files; run with
// -update to accept a deliberate change, then review the diff.
func TestGolden(t *testing.T) {
	for _, dir := range cases(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			a, p := renderCase(t, dir)
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
