package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"
)

// TestCreatedProjectsArePushable runs the command's fake as the templates'
// tests do: flags, a project made through the API, a git push, the git-log
// control endpoint.
func TestCreatedProjectsArePushable(t *testing.T) {
	f, _, _, err := setup([]string{"-token", "glpat-bot", "-group", "apps", "-group", "gitops", "-gitlab-com", "-git-root", t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(newMux(f))
	defer srv.Close()
	f.SetBaseURL(srv.URL)
	c, err := gitlab.NewClient("glpat-bot", gitlab.WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	ns, _, err := c.Namespaces.GetNamespace("gitops")
	if err != nil {
		t.Fatal(err)
	}
	// -group groups are private: a public project in one is made private.
	p, _, err := c.Projects.CreateProject(&gitlab.CreateProjectOptions{NamespaceID: &ns.ID, Path: gitlab.Ptr("hello"), Visibility: gitlab.Ptr(gitlab.PublicVisibility)})
	if err != nil || p.Visibility != gitlab.PrivateVisibility {
		t.Fatalf("create: %+v, %v", p, err)
	}
	// -gitlab-com: project access tokens need an expiry.
	_, _, err = c.ProjectAccessTokens.CreateProjectAccessToken(p.ID, &gitlab.CreateProjectAccessTokenOptions{Name: gitlab.Ptr("t"), Scopes: &[]string{"api"}})
	if err == nil || !strings.Contains(err.Error(), "expires_at is missing") {
		t.Fatalf("-gitlab-com: token without expiry: %v", err)
	}
	work := t.TempDir()
	if err := os.WriteFile(filepath.Join(work, "app.yaml"), []byte("name: hello\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(p.HTTPURLToRepo)
	u.User = url.UserPassword("oauth2", "glpat-bot")
	for _, args := range [][]string{
		{"init", "-q", "-b", "main"}, {"add", "app.yaml"},
		{"-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "first"},
		{"push", "-q", u.String(), "main"},
	} {
		cmd := exec.Command("git", args...)
		cmd.Dir = work
		cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	resp, err := http.Get(srv.URL + "/-/fake/projects/gitops%2Fhello/git-log")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var log []string
	b, _ := io.ReadAll(resp.Body)
	if json.Unmarshal(b, &log) != nil || len(log) != 1 || !strings.HasSuffix(log[0], " first") {
		t.Fatalf("git-log: %d %s", resp.StatusCode, b)
	}
	// A user made through the control API, Developer in apps, cannot create in gitops.
	r, err := http.Post(srv.URL+"/-/fake/users", "application/json", strings.NewReader(`{"username": "dev"}`))
	if err != nil {
		t.Fatal(err)
	}
	var dev struct {
		ID    int64  `json:"id"`
		Token string `json:"token"`
	}
	if err := json.NewDecoder(r.Body).Decode(&dev); err != nil || dev.Token == "" {
		t.Fatalf("user: %v", err)
	}
	r.Body.Close()
	r, err = http.Post(srv.URL+"/-/fake/groups/apps/members", "application/json", strings.NewReader(`{"user_id": `+strconv.FormatInt(dev.ID, 10)+`, "access_level": 30}`))
	if err != nil || r.StatusCode != 204 {
		t.Fatalf("member: %v %v", err, r.StatusCode)
	}
	dc, _ := gitlab.NewClient(dev.Token, gitlab.WithBaseURL(srv.URL))
	if _, _, err := dc.Projects.CreateProject(&gitlab.CreateProjectOptions{NamespaceID: &ns.ID, Path: gitlab.Ptr("x")}); err == nil {
		t.Fatal("developer of apps created a project in gitops")
	}
	apps, _, _ := dc.Namespaces.GetNamespace("apps")
	if _, _, err := dc.Projects.CreateProject(&gitlab.CreateProjectOptions{NamespaceID: &apps.ID, Path: gitlab.Ptr("x")}); err != nil {
		t.Fatalf("developer of apps creating in apps: %v", err)
	}
}
