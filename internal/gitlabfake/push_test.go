package gitlabfake_test

import (
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/vibe-coder-biz/idp/internal/gitlabfake"
)

// gitRun runs git in dir with no prompts and a fixed identity, returning
// the combined output and the error.
func gitRun(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", append([]string{"-c", "user.name=Dev", "-c", "user.email=dev@example.com", "-c", "init.defaultBranch=main"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0", "GIT_ASKPASS=", "SSH_ASKPASS=", "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func mustGit(t testing.TB, dir string, args ...string) string {
	t.Helper()
	out, err := gitRun(dir, args...)
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return out
}

// remote is the project's clone URL with Basic credentials.
func remote(t testing.TB, p *gitlab.Project, user, password string) string {
	t.Helper()
	u, err := url.Parse(p.HTTPURLToRepo)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(user, password)
	return u.String()
}

// workTree makes a local repository with app.yaml committed on main.
func workTree(t testing.TB, content string) string {
	t.Helper()
	dir := t.TempDir()
	mustGit(t, dir, "init", "-q", "-b", "main")
	if err := os.WriteFile(filepath.Join(dir, "app.yaml"), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	mustGit(t, dir, "add", "app.yaml")
	mustGit(t, dir, "commit", "-qm", "app: "+strings.TrimSpace(content))
	return dir
}

func TestPushBecomesTheProjectsState(t *testing.T) {
	f, _ := startManaged(t, gitlabfake.Options{})
	c := client(t, f)
	p := create(t, c, f, "gitops", "hello")
	work := workTree(t, "name: hello\n")
	mustGit(t, work, "push", "-q", remote(t, p, "oauth2", token), "main")
	sha := strings.TrimSpace(mustGit(t, work, "rev-parse", "HEAD"))

	raw, _, err := c.RepositoryFiles.GetRawFile(p.ID, "app.yaml", &gitlab.GetRawFileOptions{Ref: gitlab.Ptr("main")})
	if err != nil || string(raw) != "name: hello\n" {
		t.Fatalf("raw app.yaml after push: %q, %v", raw, err)
	}
	got, _, err := c.Projects.GetProject(p.ID, nil)
	if err != nil || got.EmptyRepo {
		t.Fatalf("project after push: %+v, %v", got, err)
	}
	br, _, err := c.Branches.GetBranch(p.ID, "main")
	if err != nil || br.Commit.ID != sha || br.Commit.Title != "app: name: hello" || !br.Protected {
		t.Fatalf("branch main: %+v, %v", br, err)
	}
	if ev := string(f.PushEvent(p.ID)); !strings.Contains(ev, `"after":"`+sha+`"`) {
		t.Fatalf("push event does not name the pushed commit: %s", ev)
	}
	// The default branch is protected once it exists, as on gitlab.com.
	prot, _, err := c.ProtectedBranches.ListProtectedBranches(p.ID, nil)
	if err != nil || len(prot) != 1 || prot[0].Name != "main" || prot[0].AllowForcePush {
		t.Fatalf("default branch protection: %+v, %v", prot, err)
	}
	// A clone sees the commit; a fast-forward push moves the state on.
	clone := t.TempDir()
	mustGit(t, clone, "clone", "-q", remote(t, p, "x", token), ".")
	if err := os.WriteFile(filepath.Join(clone, "app.yaml"), []byte("name: hello\nimage: v2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	mustGit(t, clone, "commit", "-qam", "image v2")
	mustGit(t, clone, "push", "-q", "origin", "main")
	raw, _, _ = c.RepositoryFiles.GetRawFile(p.ID, "app.yaml", nil)
	if string(raw) != "name: hello\nimage: v2\n" {
		t.Fatalf("after the second push: %q", raw)
	}
	// A force push to the protected default branch is refused by the
	// pre-receive check, worded as GitLab's.
	mustGit(t, work, "commit", "-q", "--amend", "-m", "rewritten")
	out, err := gitRun(work, "push", "-f", remote(t, p, "x", token), "main")
	if err == nil || !strings.Contains(out, "remote: GitLab: You are not allowed to force push code to a protected branch on this project.") {
		t.Fatalf("force push: %v\n%s", err, out)
	}
	// Other branches are not protected: force pushes go through.
	mustGit(t, work, "push", "-q", "-f", remote(t, p, "x", token), "main:feature")
	mustGit(t, work, "commit", "-q", "--amend", "-m", "rewritten again")
	mustGit(t, work, "push", "-q", "-f", remote(t, p, "x", token), "main:feature")
	if br, _, err := c.Branches.GetBranch(p.ID, "feature"); err != nil || br.Protected || br.Commit.Title != "rewritten again" {
		t.Fatalf("branch feature: %+v, %v", br, err)
	}
}

func TestGitAuthorizationFollowsTokens(t *testing.T) {
	f, clk := startManaged(t, gitlabfake.Options{})
	c := client(t, f)
	p := create(t, c, f, "gitops", "hello")
	other := create(t, c, f, "gitops", "other")
	mustGit(t, workTree(t, "v1\n"), "push", "-q", remote(t, p, "x", token), "main")
	mustGit(t, workTree(t, "v1\n"), "push", "-q", remote(t, other, "x", token), "main")

	expires := gitlab.ISOTime(t0.AddDate(0, 0, 30))
	newToken := func(level gitlab.AccessLevelValue, scopes ...string) string {
		tok, _, err := c.ProjectAccessTokens.CreateProjectAccessToken(p.ID, &gitlab.CreateProjectAccessTokenOptions{
			Name: gitlab.Ptr("t"), Scopes: &scopes, AccessLevel: &level, ExpiresAt: &expires,
		})
		if err != nil {
			t.Fatal(err)
		}
		return tok.Token
	}
	writer := newToken(gitlab.MaintainerPermissions, "write_repository", "read_repository")
	reader := newToken(gitlab.MaintainerPermissions, "read_repository")
	developer := newToken(gitlab.DeveloperPermissions, "write_repository", "read_repository")
	deploy, _, err := c.DeployTokens.CreateProjectDeployToken(p.ID, &gitlab.CreateProjectDeployTokenOptions{Name: gitlab.Ptr("d"), Scopes: &[]string{"read_repository"}})
	if err != nil {
		t.Fatal(err)
	}

	work := t.TempDir()
	mustGit(t, work, "clone", "-q", remote(t, p, "x", writer), ".")
	if err := os.WriteFile(filepath.Join(work, "app.yaml"), []byte("v2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	mustGit(t, work, "commit", "-qam", "v2")
	// In order: the accepted push to main comes last.
	for _, tc := range []struct {
		name, url, refspec string
		wantErr            string // "" for success
	}{
		{"reader pushes", remote(t, p, "x", reader), "main", "You are not allowed to upload code."},
		{"deploy token pushes", remote(t, p, deploy.Username, deploy.Token), "main", "You are not allowed to upload code."},
		{"deploy, wrong user", remote(t, p, "x", deploy.Token), "main", "Authentication failed"},
		{"other project", remote(t, other, "x", writer), "main", "not found"},
		{"developer, protected", remote(t, p, "x", developer), "main", "remote: GitLab: You are not allowed to push code to protected branches on this project."},
		{"developer, new branch", remote(t, p, "x", developer), "main:topic", ""},
		{"wrong token", remote(t, p, "x", "glpat-nope"), "main", "Authentication failed"},
		{"writer", remote(t, p, "x", writer), "main", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := gitRun(work, "push", tc.url, tc.refspec)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("push: %v\n%s", err, out)
				}
				return
			}
			if err == nil || !strings.Contains(out, tc.wantErr) {
				t.Fatalf("push: err %v, want %q in\n%s", err, tc.wantErr, out)
			}
		})
	}
	// Reads: the deploy token, the reader and a write_repository-only token
	// clone (GitLab's abilities_for_scopes gives write_repository
	// download_code too); nobody reads another project with this project's token.
	writeOnly := newToken(gitlab.MaintainerPermissions, "write_repository")
	for name, u := range map[string]string{"deploy": remote(t, p, deploy.Username, deploy.Token), "reader": remote(t, p, "x", reader), "write only": remote(t, p, "x", writeOnly)} {
		if out, err := gitRun(t.TempDir(), "ls-remote", u); err != nil || !strings.Contains(out, "refs/heads/main") {
			t.Fatalf("%s ls-remote: %v\n%s", name, err, out)
		}
	}
	if out, err := gitRun(t.TempDir(), "ls-remote", remote(t, other, "x", reader)); err == nil || !strings.Contains(out, "not found") {
		t.Fatalf("reader on another project: %v\n%s", err, out)
	}
	// Expired, then revoked: 401 with GitLab's Basic refusal.
	clk.Advance(31 * 24 * time.Hour)
	if out, err := gitRun(t.TempDir(), "ls-remote", remote(t, p, "x", writer)); err == nil || !strings.Contains(out, "Authentication failed") {
		t.Fatalf("expired token: %v\n%s", err, out)
	}
	clk.Advance(-31 * 24 * time.Hour)
	list, _, _ := c.ProjectAccessTokens.ListProjectAccessTokens(p.ID, nil)
	if _, err := c.ProjectAccessTokens.RevokeProjectAccessToken(p.ID, list[0].ID); err != nil {
		t.Fatal(err)
	}
	resp, body := get(t, "GET", remote(t, p, "x", writer)+"/info/refs?service=git-upload-pack", map[string]string{})
	if resp.StatusCode != 401 || !strings.Contains(body, "HTTP Basic: Access denied") || resp.Header.Get("WWW-Authenticate") == "" {
		t.Fatalf("revoked token: %d %s", resp.StatusCode, body)
	}
}

// publish:gitlab pushes its defaultBranch (master unless the template says
// otherwise) to a project created without one, then may create branches.
func TestFirstPushedBranchBecomesTheDefault(t *testing.T) {
	f, _ := startManaged(t, gitlabfake.Options{})
	c := client(t, f)
	p := create(t, c, f, "apps", "hello")
	work := workTree(t, "v1\n")
	mustGit(t, work, "push", "-q", remote(t, p, "x", token), "main:master")
	got, _, err := c.Projects.GetProject(p.ID, nil)
	if err != nil || got.DefaultBranch != "master" {
		t.Fatalf("default branch after pushing master first: %q, %v", got.DefaultBranch, err)
	}
	prot, _, _ := c.ProtectedBranches.ListProtectedBranches(p.ID, nil)
	if len(prot) != 1 || prot[0].Name != "master" {
		t.Fatalf("protected: %+v", prot)
	}
	br, resp, err := c.Branches.CreateBranch(p.ID, &gitlab.CreateBranchOptions{Branch: gitlab.Ptr("develop"), Ref: gitlab.Ptr("master")})
	if tip := strings.TrimSpace(mustGit(t, work, "rev-parse", "HEAD")); err != nil || resp.StatusCode != 201 || br.Commit.ID != tip {
		t.Fatalf("create branch: %+v, %v", br, err)
	}
	if out := mustGit(t, t.TempDir(), "ls-remote", remote(t, p, "x", token)); !strings.Contains(out, "refs/heads/develop") {
		t.Fatalf("develop is not in git:\n%s", out)
	}
	api := f.APIURL() + "/projects/" + itoa(p.ID) + "/repository/branches"
	code, body := send(t, "POST", api, "", map[string]string{"branch": "develop", "ref": "master"})
	expectBody(t, "again", code, body, 400, `{"message":"Branch already exists"}`)
	code, body = send(t, "POST", api, "", map[string]string{"branch": "x", "ref": "nope"})
	expectBody(t, "bad ref", code, body, 400, `{"message":"Invalid reference name: nope"}`)
	code, body = send(t, "POST", api, "", map[string]string{"branch": "a..b", "ref": "master"})
	expectBody(t, "bad name", code, body, 400, `{"message":"Branch name is invalid"}`)
}

// A fault can fail a git request too, named "git <service>" like the
// counts, so a test can make the push of a publish fail half-way.
func TestFaultsApplyToGit(t *testing.T) {
	f, _ := startManaged(t, gitlabfake.Options{})
	c := client(t, f)
	p := create(t, c, f, "gitops", "hello")
	f.Inject(gitlabfake.Fault{Method: "POST", Endpoint: "git git-receive-pack", Status: 503, Times: 1})
	work := workTree(t, "v1\n")
	if out, err := gitRun(work, "push", "-q", remote(t, p, "x", token), "main"); err == nil || !strings.Contains(out, "503") {
		t.Fatalf("push under a fault: %v\n%s", err, out)
	}
	if _, ok := f.ProjectByPath("gitops/hello"); !ok {
		t.Fatal("project gone")
	}
	mustGit(t, work, "push", "-q", remote(t, p, "x", token), "main")
}
