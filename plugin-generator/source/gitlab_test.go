package source_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/vibe-coder-biz/idp/internal/gitlabfake"
	"github.com/vibe-coder-biz/idp/plugin-generator/source"
)

const token = "glpat-test-token"

func appYAML(name string) string {
	return fmt.Sprintf("apiVersion: idp.vibe-coder.biz/v1alpha1\nkind: App\nmetadata:\n  name: %s\nspec:\n  owner: team-a\n  image: 123456789012.dkr.ecr.us-east-2.amazonaws.com/apps/%s:abc1234\n  port: 3000\n", name, name)
}

// seed makes a GitOps group with apps, a project without app.yaml, an
// archived app, a shared-in app and an app in a group outside.
func seed(t *testing.T) *gitlabfake.Fake {
	t.Helper()
	fake := gitlabfake.Start(t, gitlabfake.Options{Token: token, Now: ticking()})
	add := func(ns, path string, files map[string]string, mod func(*gitlabfake.ProjectSpec)) gitlabfake.Project {
		spec := gitlabfake.ProjectSpec{Namespace: ns, Path: path, Files: files}
		if mod != nil {
			mod(&spec)
		}
		return fake.AddProject(spec)
	}
	add("gitops", "alpha", map[string]string{"app.yaml": appYAML("alpha")}, nil)
	add("gitops/team-b/backend", "beta", map[string]string{"app.yaml": appYAML("beta")}, nil)
	add("gitops", "docs", map[string]string{"README.md": "# not an app"}, nil)
	add("gitops", "old", map[string]string{"app.yaml": appYAML("old")}, func(s *gitlabfake.ProjectSpec) { s.Archived = true })
	add("elsewhere", "shared", map[string]string{"app.yaml": appYAML("shared")}, func(s *gitlabfake.ProjectSpec) { s.SharedWith = []string{"gitops"} })
	add("elsewhere", "outside", map[string]string{"app.yaml": appYAML("outside")}, nil)
	return fake
}

func newSource(t *testing.T, fake *gitlabfake.Fake, mod func(*source.GitLabOptions)) *source.GitLab {
	t.Helper()
	opts := source.GitLabOptions{BaseURL: fake.URL(), Token: token, Group: "gitops", HTTPClient: &http.Client{Timeout: 2 * time.Second}}
	if mod != nil {
		mod(&opts)
	}
	g, err := source.NewGitLab(opts)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func apps(repos []source.Repo) []string {
	var out []string
	for _, r := range repos {
		if r.HasApp() {
			out = append(out, r.FullPath)
		}
	}
	slices.Sort(out)
	return out
}

func TestGitLabScan(t *testing.T) {
	fake := seed(t)
	g := newSource(t, fake, nil)
	repos, err := g.Scan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := apps(repos); !slices.Equal(got, []string{"gitops/alpha", "gitops/team-b/backend/beta"}) {
		t.Fatalf("apps = %v", got)
	}
	for _, r := range repos {
		if r.FullPath == "gitops/alpha" {
			p, _ := fake.ProjectByPath("gitops/alpha")
			if r.CommitSHA != p.HeadSHA || r.RepoURL != fake.URL()+"/gitops/alpha.git" || r.DefaultBranch != "main" || r.AppPath != "." {
				t.Errorf("alpha = %+v", r.Project)
			}
		}
	}
	withAll := newSource(t, fake, func(o *source.GitLabOptions) { o.IncludeArchived, o.IncludeShared = true, true })
	repos, err = withAll.Scan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := apps(repos); !slices.Equal(got, []string{"elsewhere/shared", "gitops/alpha", "gitops/old", "gitops/team-b/backend/beta"}) {
		t.Fatalf("with archived and shared: %v", got)
	}
}

// TestGitLabReadsOnlyChangedProjects: an unchanged refresh lists projects
// and reads nothing; a commit costs one file read.
func TestGitLabReadsOnlyChangedProjects(t *testing.T) {
	fake := seed(t)
	g := newSource(t, fake, nil)
	ctx := context.Background()
	if _, err := g.Scan(ctx); err != nil {
		t.Fatal(err)
	}
	fake.ResetCounts()
	if _, err := g.Scan(ctx); err != nil {
		t.Fatal(err)
	}
	if n := fake.TotalRequests(); n != 2 {
		t.Fatalf("unchanged refresh sent %d requests (%v), want 1 listing page and the probe past its end", n, fake.Requests())
	}
	p, _ := fake.ProjectByPath("gitops/alpha")
	sha := fake.Commit(p.ID, map[string]string{"app.yaml": appYAML("alpha") + "  replicas: 3\n"})
	fake.ResetCounts()
	repos, err := g.Scan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n := fake.TotalRequests(); n != 3 {
		t.Fatalf("one changed project cost %d requests (%v), want 3", n, fake.Requests())
	}
	for _, r := range repos {
		if r.ID == p.ID && r.CommitSHA != sha {
			t.Fatalf("alpha at %s, want %s", r.CommitSHA, sha)
		}
	}
}

// TestGitLabFailuresFailTheScan: every way the listing can fail makes Scan
// return an error, never a shorter list (file reads: complete_test.go).
func TestGitLabFailuresFailTheScan(t *testing.T) {
	cases := map[string]gitlabfake.Fault{
		"listing 500":        {Path: "/api/v4/groups/", Status: 500},
		"listing 502":        {Path: "/api/v4/groups/", Status: 502},
		"token revoked":      {Status: 401},
		"group gone":         {Path: "/api/v4/groups/", Status: 404},
		"slow listing":       {Path: "/api/v4/groups/", Delay: 10 * time.Second},
		"endless rate limit": {Status: 429, RetryAfter: time.Second},
	}
	for name, fault := range cases {
		t.Run(name, func(t *testing.T) {
			fake := seed(t)
			g := newSource(t, fake, func(o *source.GitLabOptions) { o.RetryMax = 1 })
			fake.Inject(fault)
			ctx, cancel := context.WithTimeout(context.Background(), 8*time.Second)
			defer cancel()
			repos, err := g.Scan(ctx)
			if err == nil {
				t.Fatalf("scan succeeded with %d repos", len(repos))
			}
			if repos != nil {
				t.Fatal("a failed scan returned repos")
			}
		})
	}
}

// TestGitLabHonoursRetryAfter: a 429 is retried after the time GitLab asks
// for, and the scan then succeeds.
func TestGitLabHonoursRetryAfter(t *testing.T) {
	fake := seed(t)
	g := newSource(t, fake, nil)
	fake.Inject(gitlabfake.Fault{Path: "/api/v4/groups/", Status: 429, RetryAfter: 2 * time.Second, Times: 1})
	start := time.Now()
	repos, err := g.Scan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(start); waited < 2*time.Second {
		t.Fatalf("retried after %v, before Retry-After", waited)
	}
	if len(apps(repos)) != 2 {
		t.Fatalf("apps = %v", apps(repos))
	}
}

func TestGitLabDown(t *testing.T) {
	g, err := source.NewGitLab(source.GitLabOptions{BaseURL: "http://127.0.0.1:1", Token: token, Group: "gitops", RetryMax: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.Scan(context.Background()); err == nil {
		t.Fatal("scan of an unreachable GitLab succeeded")
	}
}

func TestGitLabNeedsTokenAndGroup(t *testing.T) {
	for _, o := range []source.GitLabOptions{{Group: "gitops"}, {Token: token}} {
		if _, err := source.NewGitLab(o); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
}

func TestGitLabRescan(t *testing.T) {
	fake := seed(t)
	g := newSource(t, fake, nil)
	ctx := context.Background()
	p, _ := fake.ProjectByPath("gitops/alpha")
	r, err := g.Rescan(ctx, p.ID)
	if err != nil || !r.HasApp() {
		t.Fatalf("%+v %v", r, err)
	}
	outside, _ := fake.ProjectByPath("elsewhere/outside")
	if _, err := g.Rescan(ctx, outside.ID); !errors.Is(err, source.ErrGone) {
		t.Fatalf("project outside the group: %v", err)
	}
	fake.DeleteProject(p.ID)
	if _, err := g.Rescan(ctx, p.ID); !errors.Is(err, source.ErrGone) {
		t.Fatalf("deleted project: %v", err)
	}
}
