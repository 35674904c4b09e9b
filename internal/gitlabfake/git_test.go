package gitlabfake

import (
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestGitServesPrivateProjectsOnlyToATokenAndOnlyForReading drives the fake
// with the real git client, as Argo CD's repo-server does.
func TestGitServesPrivateProjectsOnlyToATokenAndOnlyForReading(t *testing.T) {
	root := t.TempDir()
	bare := filepath.Join(root, "gitops", "hello-world.git")
	run(t, "", "git", "init", "-q", "--bare", "-b", "main", bare)
	work := t.TempDir()
	run(t, work, "git", "init", "-q", "-b", "main")
	if err := os.WriteFile(filepath.Join(work, "app.yaml"), []byte("kind: App\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, work, "git", "add", "app.yaml")
	run(t, work, "git", "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "app")
	run(t, work, "git", "push", "-q", bare, "main")

	f := New(Options{})
	srv := httptest.NewServer(f.Git(root, "glpat-read"))
	t.Cleanup(srv.Close)
	withCreds := func(user, pass string) string {
		u, _ := url.Parse(srv.URL + "/gitops/hello-world.git")
		u.User = url.UserPassword(user, pass)
		return u.String()
	}
	for name, tc := range map[string]struct {
		url     string
		wantErr string
	}{
		"token":             {withCreds("argocd", "glpat-read"), ""},
		"any user name":     {withCreds("oauth2", "glpat-read"), ""},
		"no credentials":    {srv.URL + "/gitops/hello-world.git", "could not read Username"},
		"wrong token":       {withCreds("argocd", "glpat-wrong"), "Authentication failed"},
		"unknown project":   {strings.Replace(withCreds("argocd", "glpat-read"), "hello-world", "nope", 1), "not found"},
		"path outside root": {strings.Replace(withCreds("argocd", "glpat-read"), "gitops/hello-world", "..%2f..%2fetc", 1), "not found"},
	} {
		t.Run(name, func(t *testing.T) {
			cmd := exec.Command("git", "ls-remote", tc.url)
			cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0", "GIT_ASKPASS=", "SSH_ASKPASS=")
			out, err := cmd.CombinedOutput()
			if tc.wantErr == "" {
				if err != nil || !strings.Contains(string(out), "refs/heads/main") {
					t.Fatalf("ls-remote: %v\n%s", err, out)
				}
				return
			}
			if err == nil || !strings.Contains(string(out), tc.wantErr) {
				t.Fatalf("ls-remote: err %v, want %q in\n%s", err, tc.wantErr, out)
			}
		})
	}
	// Reading only: a push with the token is refused.
	run(t, work, "git", "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "--allow-empty", "-m", "again")
	cmd := exec.Command("git", "push", withCreds("argocd", "glpat-read"), "main")
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0")
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "not allowed to push") {
		t.Fatalf("push: err %v\n%s", err, out)
	}
}

func run(t *testing.T, dir string, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}
