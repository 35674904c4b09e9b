package gitlabfake_test

import (
	"net/http"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/vibe-coder-biz/idp/internal/gitlabfake"
)

// A rewriting fault corrupts the real answer and nothing else.
func TestFaultsThatCorruptAnAnswer(t *testing.T) {
	for _, tc := range []struct {
		name   string
		fault  gitlabfake.Fault
		check  func(t *testing.T, ps []*gitlab.Project, resp *gitlab.Response)
		keyset bool
	}{{
		name:  "truncated page, honest totals",
		fault: gitlabfake.Fault{Truncate: 3},
		check: func(t *testing.T, ps []*gitlab.Project, resp *gitlab.Response) {
			if len(ps) != 2 || resp.TotalItems != 5 || resp.Header.Get("Content-Length") == "" {
				t.Fatalf("got %d projects, X-Total %d", len(ps), resp.TotalItems)
			}
		},
	}, {
		name:  "dishonest totals",
		fault: gitlabfake.Fault{SetHeader: http.Header{"X-Total": {"2"}}},
		check: func(t *testing.T, ps []*gitlab.Project, resp *gitlab.Response) {
			if len(ps) != 5 || resp.TotalItems != 2 {
				t.Fatalf("got %d projects, X-Total %d", len(ps), resp.TotalItems)
			}
		},
	}, {
		name:   "keyset page without its next link",
		fault:  gitlabfake.Fault{DropHeader: []string{"Link"}},
		keyset: true,
		check: func(t *testing.T, ps []*gitlab.Project, resp *gitlab.Response) {
			if len(ps) != 2 || resp.NextLink != "" {
				t.Fatalf("got %d projects, next %q", len(ps), resp.NextLink)
			}
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			f, _ := start(t)
			addProjects(f, "g", 5)
			c := client(t, f)
			tc.fault.Endpoint, tc.fault.Times = "GET /groups/:id/projects", 1
			f.Inject(tc.fault)
			opt := &gitlab.ListGroupProjectsOptions{}
			if tc.keyset {
				opt.ListOptions = gitlab.ListOptions{Pagination: "keyset", OrderBy: "id", PerPage: 2}
			}
			ps, resp, err := c.Groups.ListGroupProjects("g", opt)
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, ps, resp)
			if ps, _, _ := c.Groups.ListGroupProjects("g", nil); len(ps) != 5 {
				t.Fatalf("the fault outlived its one use: %d projects", len(ps))
			}
		})
	}
}

func TestGroupsOffsetOnly(t *testing.T) {
	f := gitlabfake.Start(t, gitlabfake.Options{GroupProjectsOffsetOnly: true})
	addProjects(f, "g", 3)
	c := client(t, f)
	_, resp, err := c.Groups.ListGroupProjects("g", &gitlab.ListGroupProjectsOptions{ListOptions: gitlab.ListOptions{Pagination: "keyset", OrderBy: "id", PerPage: 2}})
	if err != nil || resp.TotalItems != 3 || resp.NextPage != 2 || resp.NextLink == "" {
		t.Fatalf("want an offset page, got %v %+v", err, resp)
	}
}

func TestGetGroupByIDAndPath(t *testing.T) {
	f, _ := start(t)
	sub := f.AddGroup("gitops/team-a")
	c := client(t, f)
	for _, id := range []any{sub.ID, "gitops/team-a"} {
		//lint:ignore SA1019 API v4 still embeds the group's projects unless told not to
		g, _, err := c.Groups.GetGroup(id, &gitlab.GetGroupOptions{WithProjects: gitlab.Ptr(false)})
		if err != nil || g.ID != sub.ID || g.FullPath != "gitops/team-a" {
			t.Fatalf("GetGroup(%v) = %+v, %v", id, g, err)
		}
	}
	if _, resp, err := c.Groups.GetGroup(999, nil); err == nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("want 404, got %v", err)
	}
}
