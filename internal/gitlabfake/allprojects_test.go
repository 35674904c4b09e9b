package gitlabfake_test

import (
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/vibe-coder-biz/idp/internal/gitlabfake"
)

func TestListAllProjectsBySearch(t *testing.T) {
	f, _ := startManaged(t, gitlabfake.Options{})
	c := client(t, f)
	a := create(t, c, f, "apps", "shop")
	b := create(t, c, f, "gitops", "shop")
	create(t, c, f, "gitops", "other")
	got, resp, err := c.Projects.ListProjects(&gitlab.ListProjectsOptions{Search: gitlab.Ptr("shop")})
	if err != nil || resp.Header.Get("X-Total") != "2" {
		t.Fatalf("list: %v", err)
	}
	equalIDs(t, "search shop, newest first", projectIDs(got), []int64{b.ID, a.ID})
	// A stranger sees none of the private projects.
	_, stranger := f.AddUser("stranger")
	sc, _ := gitlab.NewClient(stranger, gitlab.WithBaseURL(f.URL()))
	if none, _, err := sc.Projects.ListProjects(nil); err != nil || len(none) != 0 {
		t.Fatalf("stranger: %d projects, %v", len(none), err)
	}
}
