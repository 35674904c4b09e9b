package gitlabfake_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/vibe-coder-biz/idp/internal/gitlabfake"
)

// fixture: gitops/{a1, a2 (archived)}, gitops/team-a/{b1}, gitops/team-a/deep/{c1},
// other/{shared} shared into gitops, other/{notshared}.
type fixture struct {
	a1, a2, b1, c1, shared, notShared int64
}

func buildFixture(f *gitlabfake.Fake) fixture {
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	var x fixture
	x.a1 = f.AddProject(gitlabfake.ProjectSpec{Namespace: "gitops", Path: "a1", CreatedAt: at(1), Topics: []string{"payments", "Alpha"}}).ID
	x.a2 = f.AddProject(gitlabfake.ProjectSpec{Namespace: "gitops", Path: "a2", CreatedAt: at(2), Archived: true}).ID
	x.b1 = f.AddProject(gitlabfake.ProjectSpec{Namespace: "gitops/team-a", Path: "b1", CreatedAt: at(3), Topics: []string{"payments"}}).ID
	x.c1 = f.AddProject(gitlabfake.ProjectSpec{Namespace: "gitops/team-a/deep", Path: "c1", CreatedAt: at(4)}).ID
	x.shared = f.AddProject(gitlabfake.ProjectSpec{Namespace: "other", Path: "shared", CreatedAt: at(5)}).ID
	x.notShared = f.AddProject(gitlabfake.ProjectSpec{Namespace: "other", Path: "notshared", CreatedAt: at(6)}).ID
	f.ShareIntoGroup(x.shared, "gitops")
	return x
}

func TestGroupProjectFilters(t *testing.T) {
	f, _ := start(t)
	x := buildFixture(f)
	c := client(t, f)
	tru, fls := gitlab.Ptr(true), gitlab.Ptr(false)
	cases := []struct {
		name string
		gid  any
		opt  gitlab.ListGroupProjectsOptions
		want []int64 // in the default order, created_at desc
	}{
		{"defaults include shared", "gitops", gitlab.ListGroupProjectsOptions{}, []int64{x.shared, x.a2, x.a1}},
		{"with_shared=false", "gitops", gitlab.ListGroupProjectsOptions{WithShared: fls}, []int64{x.a2, x.a1}},
		{"include_subgroups", "gitops", gitlab.ListGroupProjectsOptions{IncludeSubGroups: tru}, []int64{x.shared, x.c1, x.b1, x.a2, x.a1}},
		{"include_subgroups without shared", "gitops", gitlab.ListGroupProjectsOptions{IncludeSubGroups: tru, WithShared: fls}, []int64{x.c1, x.b1, x.a2, x.a1}},
		{"archived=false", "gitops", gitlab.ListGroupProjectsOptions{Archived: fls, WithShared: fls}, []int64{x.a1}},
		{"archived=true", "gitops", gitlab.ListGroupProjectsOptions{Archived: tru}, []int64{x.a2}},
		{"active=true", "gitops", gitlab.ListGroupProjectsOptions{Active: tru, WithShared: fls}, []int64{x.a1}},
		{"subgroup by path", "gitops/team-a", gitlab.ListGroupProjectsOptions{}, []int64{x.b1}},
		{"subgroup by id", f.AddGroup("gitops/team-a").ID, gitlab.ListGroupProjectsOptions{IncludeSubGroups: tru}, []int64{x.c1, x.b1}},
		{"path is case-insensitive", "GitOps", gitlab.ListGroupProjectsOptions{WithShared: fls}, []int64{x.a2, x.a1}},
		{"topic", "gitops", gitlab.ListGroupProjectsOptions{IncludeSubGroups: tru, Topic: gitlab.Ptr("payments")}, []int64{x.b1, x.a1}},
		{"topics are all-of", "gitops", gitlab.ListGroupProjectsOptions{IncludeSubGroups: tru, Topic: gitlab.Ptr("payments,alpha")}, []int64{x.a1}},
		{"empty topic is no filter (Argo CD sends it)", "gitops", gitlab.ListGroupProjectsOptions{Topic: gitlab.Ptr("")}, []int64{x.shared, x.a2, x.a1}},
		{"search", "gitops", gitlab.ListGroupProjectsOptions{IncludeSubGroups: tru, Search: gitlab.Ptr("B1")}, []int64{x.b1}},
		{"order_by path asc", "gitops", gitlab.ListGroupProjectsOptions{IncludeSubGroups: tru, OrderBy: gitlab.Ptr("path"), Sort: gitlab.Ptr("asc")}, []int64{x.a1, x.a2, x.b1, x.c1, x.shared}},
		{"order_by id", "gitops", gitlab.ListGroupProjectsOptions{IncludeSubGroups: tru, OrderBy: gitlab.Ptr("id")}, []int64{x.shared, x.c1, x.b1, x.a2, x.a1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ps, _, err := c.Groups.ListGroupProjects(tc.gid, &tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			equalIDs(t, tc.name, projectIDs(ps), tc.want)
		})
	}
}

func TestProjectEntity(t *testing.T) {
	f, _ := start(t)
	x := buildFixture(f)
	c := client(t, f)
	sha := f.Commit(x.b1, map[string]string{"README.md": "# b1\n"})

	for _, id := range []any{x.b1, "gitops/team-a/b1", "GITOPS/Team-A/B1"} {
		p, _, err := c.Projects.GetProject(id, nil)
		if err != nil {
			t.Fatalf("GetProject(%v): %v", id, err)
		}
		if p.ID != x.b1 || p.Path != "b1" || p.PathWithNamespace != "gitops/team-a/b1" || p.NameWithNamespace != "gitops / team-a / b1" {
			t.Fatalf("identity: %+v", p)
		}
		if p.WebURL != f.URL()+"/gitops/team-a/b1" || p.HTTPURLToRepo != f.URL()+"/gitops/team-a/b1.git" ||
			p.SSHURLToRepo != "git@127.0.0.1:gitops/team-a/b1.git" || p.ReadmeURL != f.URL()+"/gitops/team-a/b1/-/blob/main/README.md" {
			t.Fatalf("urls: %s %s %s %s", p.WebURL, p.HTTPURLToRepo, p.SSHURLToRepo, p.ReadmeURL)
		}
		//lint:ignore SA1019 Argo CD still falls back to tag_list, so the fake must fill it.
		tagList := p.TagList
		if p.DefaultBranch != "main" || !slices.Equal(p.Topics, []string{"payments"}) || !slices.Equal(tagList, p.Topics) ||
			p.Archived || p.Visibility != gitlab.PrivateVisibility || p.EmptyRepo {
			t.Fatalf("attributes: %+v", p)
		}
		if p.Namespace == nil || p.Namespace.FullPath != "gitops/team-a" || p.Namespace.Kind != "group" || p.Namespace.ParentID == 0 {
			t.Fatalf("namespace: %+v", p.Namespace)
		}
		if !p.CreatedAt.Equal(t0.Add(3*time.Minute)) || !p.LastActivityAt.Equal(t0) {
			t.Fatalf("times: created %v last activity %v", p.CreatedAt, p.LastActivityAt)
		}
	}
	if snap, _ := f.Project(x.b1); snap.HeadSHA != sha {
		t.Fatalf("HeadSHA %q, want %q", snap.HeadSHA, sha)
	}

	// Shared projects list the groups they are shared with.
	p, _, err := c.Projects.GetProject(x.shared, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.SharedWithGroups) != 1 || p.SharedWithGroups[0].GroupFullPath != "gitops" {
		t.Fatalf("shared_with_groups: %+v", p.SharedWithGroups)
	}

	// Timestamps are rendered like Rails: UTC with milliseconds.
	_, body := get(t, "GET", f.APIURL()+"/projects/"+itoa(x.b1), nil)
	var raw map[string]any
	if err := json.Unmarshal([]byte(body), &raw); err != nil {
		t.Fatal(err)
	}
	if raw["created_at"] != "2026-01-02T03:07:05.000Z" {
		t.Fatalf("created_at = %v", raw["created_at"])
	}

	// simple=true is BasicProjectDetails: no archived or visibility.
	_, body = get(t, "GET", f.APIURL()+"/groups/gitops/projects?simple=true", nil)
	if strings.Contains(body, `"archived"`) || strings.Contains(body, `"visibility"`) || !strings.Contains(body, `"path_with_namespace"`) {
		t.Fatalf("simple entity: %s", body)
	}
	ps, _, err := c.Groups.ListGroupProjects("gitops", &gitlab.ListGroupProjectsOptions{Simple: gitlab.Ptr(true)})
	if err != nil || len(ps) != 3 || ps[0].Namespace == nil {
		t.Fatalf("simple decode: %v %d", err, len(ps))
	}
}

func TestArchiveDeleteAndActivity(t *testing.T) {
	f, clk := start(t)
	x := buildFixture(f)
	c := client(t, f)
	f.Archive(x.a1, true)
	ps, _, err := c.Groups.ListGroupProjects("gitops", &gitlab.ListGroupProjectsOptions{Archived: gitlab.Ptr(false)})
	if err != nil || len(ps) != 1 || ps[0].ID != x.shared {
		t.Fatalf("after archive: %v %v", err, projectIDs(ps))
	}
	f.DeleteProject(x.shared)
	if _, _, err := c.Projects.GetProject(x.shared, nil); !errors.Is(err, gitlab.ErrNotFound) {
		t.Fatalf("deleted project: %v", err)
	}
	ps, _, _ = c.Groups.ListGroupProjects("gitops", nil)
	equalIDs(t, "after delete", projectIDs(ps), []int64{x.a2, x.a1})

	// A commit moves last_activity_at, and so the order_by=last_activity_at
	// view; cached views in other orders show the new value too.
	_, _, _ = c.Groups.ListGroupProjects("gitops", nil) // warm the default view
	clk.Advance(time.Hour)
	f.Commit(x.a1, map[string]string{"app.yaml": "x"})
	ps, _, _ = c.Groups.ListGroupProjects("gitops", &gitlab.ListGroupProjectsOptions{OrderBy: gitlab.Ptr("last_activity_at")})
	if ps[0].ID != x.a1 || !ps[0].LastActivityAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("last_activity_at: %d %v", ps[0].ID, ps[0].LastActivityAt)
	}
	ps, _, _ = c.Groups.ListGroupProjects("gitops", nil)
	if ps[1].ID != x.a1 || !ps[1].LastActivityAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("stale default view: %v %v", projectIDs(ps), ps[1].LastActivityAt)
	}
}

func TestActivityThrottle(t *testing.T) {
	clk := &clock{t: t0}
	f := gitlabfake.New(gitlabfake.Options{Now: clk.Now, ActivityThrottle: time.Hour})
	id := f.AddProject(gitlabfake.ProjectSpec{Namespace: "g", Path: "p"}).ID
	clk.Advance(10 * time.Minute)
	f.Commit(id, map[string]string{"a": "1"})
	if p, _ := f.Project(id); !p.LastActivityAt.Equal(t0) {
		t.Fatalf("bumped within the throttle: %v", p.LastActivityAt)
	}
	clk.Advance(time.Hour)
	f.Commit(id, map[string]string{"a": "2"})
	if p, _ := f.Project(id); !p.LastActivityAt.Equal(t0.Add(70 * time.Minute)) {
		t.Fatalf("not bumped after the throttle: %v", p.LastActivityAt)
	}
}

func TestErrorsAndAuth(t *testing.T) {
	f, _ := start(t)
	buildFixture(f)
	api := f.APIURL()
	cases := []struct {
		name   string
		url    string
		hdr    map[string]string
		status int
		body   string
	}{
		{"unknown group", api + "/groups/nope/projects", nil, 404, `{"message":"404 Group Not Found"}`},
		{"unknown project", api + "/projects/999", nil, 404, `{"message":"404 Project Not Found"}`},
		{"unknown project path", api + "/projects/gitops%2Fnope", nil, 404, `{"message":"404 Project Not Found"}`},
		{"unencoded path is no route", api + "/projects/gitops/a1", nil, 404, `{"error":"404 Not Found"}`},
		{"unknown route", api + "/version", nil, 404, `{"error":"404 Not Found"}`},
		{"missing token", api + "/projects/1", map[string]string{}, 401, `{"message":"401 Unauthorized"}`},
		{"wrong token", api + "/projects/1", map[string]string{"PRIVATE-TOKEN": "nope"}, 401, `{"message":"401 Unauthorized"}`},
		{"bearer token", api + "/projects/1", map[string]string{"Authorization": "Bearer " + token}, 200, ""},
		{"query token", api + "/projects/1?private_token=" + token, map[string]string{}, 200, ""},
		{"bad order_by", api + "/groups/gitops/projects?order_by=nope", nil, 400, `{"error":"order_by does not have a valid value"}`},
		{"bad boolean", api + "/groups/gitops/projects?archived=maybe", nil, 400, `{"error":"archived is invalid"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := get(t, "GET", tc.url, tc.hdr)
			if resp.StatusCode != tc.status || (tc.body != "" && body != tc.body) {
				t.Fatalf("got %d %s, want %d %s", resp.StatusCode, body, tc.status, tc.body)
			}
			if resp.StatusCode != 200 && resp.Header.Get("Content-Type") != "application/json" {
				t.Fatalf("content type %q", resp.Header.Get("Content-Type"))
			}
		})
	}

	// Through client-go: a 404 is gitlab.ErrNotFound, a 401 an *ErrorResponse.
	c := client(t, f)
	if _, _, err := c.Groups.ListGroupProjects("nope", nil); !errors.Is(err, gitlab.ErrNotFound) {
		t.Fatalf("unknown group: %v", err)
	}
	bad, err := gitlab.NewClient("wrong", gitlab.WithBaseURL(f.URL()))
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = bad.Projects.GetProject(1, nil)
	var er *gitlab.ErrorResponse
	if !errors.As(err, &er) || er.Response.StatusCode != http.StatusUnauthorized || er.Message != "{message: 401 Unauthorized}" {
		t.Fatalf("wrong token: %v", err)
	}

	if n := f.Requests()[gitlabfake.Unmatched]; n != 2 {
		t.Fatalf("unmatched = %d, want 2", n)
	}
	if u := f.UnmatchedRequests(); len(u) != 2 || u[1] != "GET /api/v4/version" {
		t.Fatalf("UnmatchedRequests = %q", u)
	}
}

func TestNoTokenConfiguredAcceptsAnyone(t *testing.T) {
	f, srv := gitlabfake.NewServer(gitlabfake.Options{})
	defer srv.Close()
	f.AddProject(gitlabfake.ProjectSpec{Namespace: "g", Path: "p"})
	resp, _ := get(t, "GET", f.APIURL()+"/projects/g%2Fp", map[string]string{})
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
}

func TestBaseURLFollowsRequestHost(t *testing.T) {
	f := gitlabfake.New(gitlabfake.Options{})
	f.AddProject(gitlabfake.ProjectSpec{Namespace: "g", Path: "p"})
	rec := httptestRecorder(f, "GET", "http://gitlab.internal:8080/api/v4/projects/1")
	var p gitlab.Project
	if err := json.Unmarshal(rec, &p); err != nil {
		t.Fatal(err)
	}
	if p.WebURL != "http://gitlab.internal:8080/g/p" || p.SSHURLToRepo != "git@gitlab.internal:g/p.git" {
		t.Fatalf("urls %s %s", p.WebURL, p.SSHURLToRepo)
	}
}
