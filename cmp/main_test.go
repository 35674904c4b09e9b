package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/vibe-coder-biz/idp/appspec"
	"github.com/vibe-coder-biz/idp/internal/apptest"
)

const example = "../examples/hello-world/app.yaml"

func envOf(m map[string]string) lookupEnv {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func runCmd(env map[string]string, args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(args, &out, &errb, envOf(env))
	return code, out.String(), errb.String()
}

// TestGenerateMatchesRender: what Argo CD gets from generate is what a
// person sees with cmp render.
func TestGenerateMatchesRender(t *testing.T) {
	code, rendered, stderr := runCmd(nil, "render", example)
	if code != 0 || rendered == "" {
		t.Fatalf("render: %d %s", code, stderr)
	}
	dir := t.TempDir()
	copyFile(t, example, filepath.Join(dir, "app.yaml"))
	t.Chdir(dir)
	code, generated, stderr := runCmd(map[string]string{
		"ARGOCD_APP_NAME": "hello-world", envNamespace: "hello-world", envAppName: "hello-world",
		envRepoURL: "https://gitlab.example.com/gitops/hello-world.git",
	}, "generate")
	if code != 0 || generated != rendered {
		t.Fatalf("generate (%d, %s) differs from render", code, stderr)
	}
}

func TestGenerateProject(t *testing.T) {
	dir := t.TempDir()
	copyFile(t, example, filepath.Join(dir, "app.yaml"))
	t.Chdir(dir)
	repo := "https://gitlab.example.com/gitops/hello-world.git"
	code, out, stderr := runCmd(map[string]string{envRenderMode: "project", envRepoURL: repo, envNamespace: "argocd"}, "generate")
	if code != 0 || !strings.Contains(out, "kind: AppProject") || !strings.Contains(out, "- "+repo) {
		t.Fatalf("%d %s\n%s", code, stderr, out)
	}
	_, want, _ := runCmd(nil, "render", "-project", "-repo-url", repo, "app.yaml")
	if out != want {
		t.Fatal("generate differs from render -project")
	}
}

// TestGenerateRefuses: every refusal writes nothing to stdout.
func TestGenerateRefuses(t *testing.T) {
	cases := map[string]struct {
		env  map[string]string
		file string
		want string
	}{
		"another project's name": {map[string]string{envAppName: "other-app"}, "", "only claim its own"},
		"another namespace":      {map[string]string{envNamespace: "kube-system"}, "", "namespace"},
		"project without repo":   {map[string]string{envRenderMode: "project"}, "", "repository URL"},
		"unknown mode":           {map[string]string{envRenderMode: "everything"}, "", "want \"app\" or \"project\""},
		"bad platform":           {map[string]string{appspec.EnvServiceCIDR: "nope"}, "", appspec.EnvServiceCIDR},
		"no app.yaml":            {nil, "-", "no such file"},
		"invalid app.yaml":       {nil, "apiVersion: v1\n", "app.yaml: "},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			switch c.file {
			case "":
				copyFile(t, example, filepath.Join(dir, "app.yaml"))
			case "-":
			default:
				writeFile(t, filepath.Join(dir, "app.yaml"), c.file)
			}
			t.Chdir(dir)
			code, out, stderr := runCmd(c.env, "generate")
			if code == 0 || out != "" || !strings.Contains(stderr, c.want) {
				t.Fatalf("code=%d stdout=%q stderr=%q, want an error mentioning %q", code, out, stderr, c.want)
			}
		})
	}
}

// TestInvalidAppWritesNothing: for any valid app broken in any one way, cmp
// exits non-zero with the field in its message and an empty stdout. An
// empty render with prune on would delete the app.
func TestInvalidAppWritesNothing(t *testing.T) {
	p := appspec.DefaultPlatform()
	breakers := []struct {
		field string
		apply func(*appspec.App)
	}{
		{"metadata.name", func(a *appspec.App) { a.Metadata.Name = "kube-" + a.Metadata.Name }},
		{"metadata.name", func(a *appspec.App) { a.Metadata.Name = strings.ToUpper(a.Metadata.Name) }},
		{"spec.image", func(a *appspec.App) { a.Spec.Image = "docker.io/library/" + a.Metadata.Name + ":1" }},
		{"spec.port", func(a *appspec.App) { a.Spec.Port = 80 }},
		{"spec.replicas", func(a *appspec.App) { a.Spec.Replicas = ptr(int32(-3)) }},
		{"spec.ingress.host", func(a *appspec.App) { a.Spec.Ingress.Host = "x" + p.Host(a.Metadata.Name) }},
		{"spec.secrets.key", func(a *appspec.App) {
			a.Spec.Secrets = &appspec.Secrets{Key: p.SecretKeyPrefix + "/other", RefreshInterval: appspec.DefaultRefreshInterval}
		}},
		{"spec.owner", func(a *appspec.App) { a.Spec.Owner = "" }},
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "app.yaml")
	rapid.Check(t, func(t *rapid.T) {
		app := apptest.GenApp(t, p)
		b := breakers[rapid.IntRange(0, len(breakers)-1).Draw(t, "breaker")]
		b.apply(app)
		if err := os.WriteFile(file, apptest.YAML(t, app), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, cmd := range [][]string{{"render", file}, {"render", "-project", "-repo-url", "https://x/y.git", file}, {"validate", file}} {
			code, out, stderr := runCmd(nil, cmd...)
			if code == 0 || out != "" || !strings.Contains(stderr, b.field) || !strings.Contains(stderr, file) {
				t.Fatalf("%v: code=%d stdout=%d bytes stderr=%q, want the file and %s", cmd, code, len(out), stderr, b.field)
			}
		}
	})
}

func TestSetImage(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "app.yaml")
	src := "# owned by team-a\n" + readFileT(t, example)
	writeFile(t, file, src)
	if err := os.Chmod(file, 0o640); err != nil {
		t.Fatal(err)
	}
	img := "123456789012.dkr.ecr.us-east-2.amazonaws.com/apps/hello-world:0123abc"
	if code, _, stderr := runCmd(nil, "set-image", file, img); code != 0 {
		t.Fatal(stderr)
	}
	got := readFileT(t, file)
	if got != strings.Replace(src, "3f2a1bc", "0123abc", 1) {
		t.Fatalf("file now:\n%s", got)
	}
	if info, _ := os.Stat(file); info.Mode().Perm() != 0o640 {
		t.Errorf("mode %v", info.Mode())
	}
	if code, _, _ := runCmd(nil, "set-image", file, "not an image"); code == 0 || readFileT(t, file) != got {
		t.Fatal("a refused set-image changed the file")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("left files behind: %v", entries)
	}
}

func TestSchemaAndUsage(t *testing.T) {
	code, out, _ := runCmd(nil, "schema")
	if code != 0 || !strings.Contains(out, appspec.SchemaID) {
		t.Fatalf("schema: %d", code)
	}
	if code, _, stderr := runCmd(nil, "bogus"); code != 2 || !strings.Contains(stderr, "usage") {
		t.Fatalf("bogus: %d %s", code, stderr)
	}
	if code, _, _ := runCmd(nil); code != 2 {
		t.Fatal("no args accepted")
	}
}

func TestReadFileIsBounded(t *testing.T) {
	data, err := readFile("/dev/zero")
	if err != nil || len(data) != appspec.MaxFileBytes+1 {
		t.Fatalf("read %d bytes, err %v", len(data), err)
	}
}

func ptr[T any](v T) *T { return &v }

func copyFile(t testing.TB, from, to string) { writeFile(t, to, readFileT(t, from)) }

func readFileT(t testing.TB, path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func writeFile(t testing.TB, path, content string) {
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
