package gitlabfake_test

import (
	"fmt"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"
)

func TestPaginationWalksEveryProjectOnce(t *testing.T) {
	for _, n := range []int{0, 1, 100, 101, 250} {
		for _, perPage := range []int64{0, 20, 100} { // 0: the server default (20)
			t.Run(fmt.Sprintf("N=%d/per_page=%d", n, perPage), func(t *testing.T) {
				f, _ := start(t)
				f.AddGroup("gitops")
				ids := addProjects(f, "gitops", n)
				c := client(t, f)

				t.Run("offset", func(t *testing.T) {
					opt := &gitlab.ListGroupProjectsOptions{ListOptions: gitlab.ListOptions{PerPage: perPage}}
					var got []int64
					pages := 0
					for {
						ps, resp, err := c.Groups.ListGroupProjects("gitops", opt)
						if err != nil {
							t.Fatal(err)
						}
						pages++
						got = append(got, projectIDs(ps)...)
						per := int(perPage)
						if per == 0 {
							per = 20
						}
						wantPages := max(1, (n+per-1)/per)
						if resp.TotalItems != int64(n) || resp.TotalPages != int64(wantPages) || resp.ItemsPerPage != int64(per) {
							t.Fatalf("headers: total=%d pages=%d per=%d, want %d %d %d", resp.TotalItems, resp.TotalPages, resp.ItemsPerPage, n, wantPages, per)
						}
						if resp.NextPage == 0 {
							if resp.CurrentPage != int64(wantPages) {
								t.Fatalf("stopped at page %d of %d", resp.CurrentPage, wantPages)
							}
							break
						}
						opt.Page = resp.NextPage
					}
					// Default order is created_at desc.
					equalIDs(t, "offset walk", got, reversed(ids))
				})

				t.Run("keyset", func(t *testing.T) {
					for _, sort := range []string{"asc", "desc"} {
						opt := &gitlab.ListGroupProjectsOptions{ListOptions: gitlab.ListOptions{
							PerPage: perPage, Pagination: "keyset", OrderBy: "id", Sort: sort,
						}}
						var got []int64
						var next []gitlab.RequestOptionFunc
						for req := 0; ; req++ {
							ps, resp, err := c.Groups.ListGroupProjects("gitops", opt, next...)
							if err != nil {
								t.Fatal(err)
							}
							if resp.TotalItems != 0 || resp.Header.Get("X-Page") != "" {
								t.Fatal("keyset answers must not carry offset headers")
							}
							got = append(got, projectIDs(ps)...)
							if resp.NextLink == "" {
								break
							}
							if req > n+1 {
								t.Fatal("keyset pagination does not terminate")
							}
							next = []gitlab.RequestOptionFunc{gitlab.WithKeysetPaginationParameters(resp.NextLink)}
						}
						want := ids
						if sort == "desc" {
							want = reversed(ids)
						}
						equalIDs(t, "keyset "+sort, got, want)
					}
				})

				t.Run("Scan2", func(t *testing.T) {
					opt := &gitlab.ListGroupProjectsOptions{ListOptions: gitlab.ListOptions{PerPage: perPage}, OrderBy: gitlab.Ptr("id"), Sort: gitlab.Ptr("asc")}
					var got []int64
					for p, err := range gitlab.Scan2(func(po gitlab.PaginationOptionFunc) ([]*gitlab.Project, *gitlab.Response, error) {
						return c.Groups.ListGroupProjects("gitops", opt, po)
					}) {
						if err != nil {
							t.Fatal(err)
						}
						got = append(got, p.ID)
					}
					equalIDs(t, "Scan2", got, ids)
				})
			})
		}
	}
}

func TestOffsetHeadersMatchGitLab(t *testing.T) {
	f, _ := start(t)
	addProjects(f, "gitops", 45)
	resp, body := get(t, "GET", f.APIURL()+"/groups/gitops/projects?per_page=20&page=2&simple=true", nil)
	if resp.StatusCode != 200 || !strings.HasPrefix(body, "[{") {
		t.Fatalf("status %d body %.80s", resp.StatusCode, body)
	}
	want := map[string]string{
		"X-Page": "2", "X-Per-Page": "20", "X-Next-Page": "3", "X-Prev-Page": "1",
		"X-Total": "45", "X-Total-Pages": "3",
	}
	for k, v := range want {
		if got := resp.Header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	link := resp.Header.Get("Link")
	for _, rel := range []string{`rel="prev"`, `rel="next"`, `rel="first"`, `rel="last"`} {
		if !strings.Contains(link, rel) {
			t.Errorf("Link lacks %s: %s", rel, link)
		}
	}
	if !strings.Contains(link, f.APIURL()+"/groups/gitops/projects?page=3&per_page=20&simple=true>") {
		t.Errorf("next link does not keep the query: %s", link)
	}

	// The last page has an empty X-Next-Page, as GitLab sends it.
	resp, _ = get(t, "GET", f.APIURL()+"/groups/gitops/projects?per_page=20&page=3", nil)
	if v, ok := resp.Header["X-Next-Page"]; !ok || v[0] != "" {
		t.Errorf("X-Next-Page on the last page = %q (present %v), want empty", v, ok)
	}
	// per_page is clamped to 100, page 0 is page 1.
	resp, _ = get(t, "GET", f.APIURL()+"/groups/gitops/projects?per_page=500&page=0", nil)
	if resp.Header.Get("X-Per-Page") != "100" || resp.Header.Get("X-Page") != "1" {
		t.Errorf("clamping: X-Per-Page=%s X-Page=%s", resp.Header.Get("X-Per-Page"), resp.Header.Get("X-Page"))
	}
}

func TestKeysetNeedsOrderByID(t *testing.T) {
	f, _ := start(t)
	addProjects(f, "gitops", 3)
	resp, body := get(t, "GET", f.APIURL()+"/groups/gitops/projects?pagination=keyset", nil)
	if resp.StatusCode != 405 || body != `{"error":"Keyset pagination is not yet available for this type of request"}` {
		t.Fatalf("got %d %s", resp.StatusCode, body)
	}
}

// Over 10,000 records GitLab stops counting: no X-Total, X-Total-Pages or
// rel="last". A loop that stops when CurrentPage >= TotalPages — Argo CD's
// GitLab SCM provider does this — then stops after the first page.
func TestOverTenThousandOmitsTotals(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 10,001 projects")
	}
	f, _ := start(t)
	ids := addProjects(f, "big", 10001)
	c := client(t, f)
	opt := &gitlab.ListGroupProjectsOptions{ListOptions: gitlab.ListOptions{PerPage: 100}}
	ps, resp, err := c.Groups.ListGroupProjects("big", opt)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 100 || resp.TotalItems != 0 || resp.TotalPages != 0 || resp.NextPage != 2 || resp.LastLink != "" {
		t.Fatalf("got %d items, total=%d pages=%d next=%d last=%q", len(ps), resp.TotalItems, resp.TotalPages, resp.NextPage, resp.LastLink)
	}
	if resp.Header.Get("X-Total") != "" || resp.Header.Get("X-Total-Pages") != "" {
		t.Fatal("X-Total headers present over 10,000 records")
	}
	if resp.CurrentPage < resp.TotalPages {
		t.Fatal("an Argo-style loop would continue")
	}
	// Following X-Next-Page still reaches every project.
	var got []int64
	for opt.Page = 1; ; opt.Page = resp.NextPage {
		ps, resp, err = c.Groups.ListGroupProjects("big", opt)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, projectIDs(ps)...)
		if resp.NextPage == 0 {
			break
		}
	}
	equalIDs(t, "10,001 walk", got, reversed(ids))

	// Exactly 10,000 is still counted.
	f.DeleteProject(ids[0])
	_, resp, err = c.Groups.ListGroupProjects("big", &gitlab.ListGroupProjectsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if resp.TotalItems != 10000 || resp.TotalPages != 500 {
		t.Fatalf("at 10,000: total=%d pages=%d", resp.TotalItems, resp.TotalPages)
	}
}
