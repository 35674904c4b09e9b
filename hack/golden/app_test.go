//go:build cluster

package golden

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"

	"github.com/vibe-coder-biz/idp/internal/gitlabfake"
)

var (
	appsGVR     = schema.GroupVersionResource{Group: "argoproj.io", Version: "v1alpha1", Resource: "applications"}
	projectsGVR = schema.GroupVersionResource{Group: "argoproj.io", Version: "v1alpha1", Resource: "appprojects"}
)

// app is one GitOps project: the fake's record, its bare repository behind
// the clone URL, and a working copy that plays the app's pipeline.
type app struct {
	name    string
	project gitlabfake.Project
	work    string
}

// newApp creates gitops/<name> from the template's rendered GitOps
// repository (dir) and pushes its first commit, as the scaffolder's
// publish step does; then GitLab's push webhook.
func (w *world) newApp(t *testing.T, dir string) *app {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "app.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Metadata struct{ Name string } `json:"metadata"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil || doc.Metadata.Name == "" {
		t.Fatalf("the rendered app.yaml names no app: %v", err)
	}
	a := &app{name: doc.Metadata.Name, work: filepath.Join(t.TempDir(), doc.Metadata.Name)}
	bare := filepath.Join(w.repos, "gitops", a.name+".git")
	git(t, "", "init", "-q", "--bare", "-b", "main", bare)
	git(t, "", "clone", "-q", bare, a.work)
	files := map[string]string{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Type().IsRegular() {
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			files[e.Name()] = string(b)
		}
	}
	a.project = w.gitlab.AddProject(gitlabfake.ProjectSpec{Namespace: "gitops", Path: a.name})
	w.commit(t, a, files)
	return a
}

// commit writes files, commits and pushes them to the project, mirrors them
// into the fake's API view, and sends the push webhook.
func (w *world) commit(t *testing.T, a *app, files map[string]string) {
	t.Helper()
	for f, content := range files {
		if err := os.WriteFile(filepath.Join(a.work, f), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git(t, a.work, "add", "-A")
	git(t, a.work, "commit", "-qm", "change")
	git(t, a.work, "push", "-q", "origin", "HEAD:main")
	w.gitlab.Commit(a.project.ID, files)
	w.webhook(t, a.project)
}

// setImage is the pipeline's update-gitops step: cmp set-image, commit, push.
func (w *world) setImage(t *testing.T, a *app, image string) {
	t.Helper()
	cmd := exec.Command(os.Getenv("IDP_CMP_BIN"), "set-image", "app.yaml", image)
	cmd.Dir = a.work
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("cmp set-image: %v\n%s", err, out)
	}
	data, err := os.ReadFile(filepath.Join(a.work, "app.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	w.commit(t, a, map[string]string{"app.yaml": string(data)})
}

func (a *app) appYAML(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(a.work, "app.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func git(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=pipeline", "GIT_AUTHOR_EMAIL=ci@example.com",
		"GIT_COMMITTER_NAME=pipeline", "GIT_COMMITTER_EMAIL=ci@example.com")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}
