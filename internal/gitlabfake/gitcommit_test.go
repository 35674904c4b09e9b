package gitlabfake_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vibe-coder-biz/idp/internal/gitlabfake"
)

// With GitRoot set, fixture projects and commits made through the Go API
// live in git too, so a clone and the REST API agree on every SHA.
func TestFixtureProjectsAndCommitsAreInGit(t *testing.T) {
	f, _ := startManaged(t, gitlabfake.Options{})
	p := f.AddProject(gitlabfake.ProjectSpec{Namespace: "gitops", Path: "seeded", Files: map[string]string{"app.yaml": "v1\n", "empty": ""}})
	sha := f.CommitOn(p.ID, gitlabfake.CommitSpec{Message: "bump", Files: map[string]string{"app.yaml": "v2\n", "extra/x.txt": "x"}})
	clone := t.TempDir()
	url := remote(t, mustProject(t, f, p.ID), "x", token)
	mustGit(t, clone, "clone", "-q", url, ".")
	if head := strings.TrimSpace(mustGit(t, clone, "rev-parse", "HEAD")); head != sha {
		t.Fatalf("clone HEAD %s, CommitOn returned %s", head, sha)
	}
	b, err := os.ReadFile(filepath.Join(clone, "app.yaml"))
	if err != nil || string(b) != "v2\n" {
		t.Fatalf("app.yaml in the clone: %q, %v", b, err)
	}
	if got, _ := f.Project(p.ID); got.HeadSHA != sha {
		t.Fatalf("HeadSHA %s, want %s", got.HeadSHA, sha)
	}
	log, err := f.GitLog(p.ID)
	if err != nil || len(log) != 2 || !strings.HasSuffix(log[0], " bump") || !strings.HasSuffix(log[1], " Initial commit") {
		t.Fatalf("git log: %v, %v", log, err)
	}
	// Deleting through the API deletes in git.
	f.Commit(p.ID, map[string]string{"extra/x.txt": ""})
	mustGit(t, clone, "pull", "-q", "--ff-only")
	if _, err := os.Stat(filepath.Join(clone, "extra", "x.txt")); !os.IsNotExist(err) {
		t.Fatalf("extra/x.txt still in git: %v", err)
	}
}
