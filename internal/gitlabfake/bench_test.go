package gitlabfake_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/vibe-coder-biz/idp/internal/gitlabfake"
)

var benchSizes = []int{100, 1000, 10000}

// BenchmarkGroupProjectsPage is the fake's own work per page of 100 (no
// network): routing, the cached ordered view, and encoding.
func BenchmarkGroupProjectsPage(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			f := gitlabfake.New(gitlabfake.Options{Token: token, BaseURL: "http://gitlab.test"})
			addProjects(f, "gitops", n)
			var reqs []*http.Request
			for page := 1; page <= (n+99)/100; page++ {
				r := httptest.NewRequest("GET", fmt.Sprintf("/api/v4/groups/gitops/projects?per_page=100&page=%d", page), nil)
				r.Header.Set("PRIVATE-TOKEN", token)
				reqs = append(reqs, r)
			}
			b.ReportAllocs()
			b.ResetTimer()
			w := &discard{}
			for i := range b.N {
				w.reset()
				f.ServeHTTP(w, reqs[i%len(reqs)])
				if w.code != 200 {
					b.Fatal(w.code)
				}
			}
		})
	}
}

// BenchmarkGroupProjectsColdPage is a first page right after a mutation that
// invalidates the view (archiving, for an archived=false listing), so the
// view is rebuilt: filter and sort all N projects.
func BenchmarkGroupProjectsColdPage(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			f := gitlabfake.New(gitlabfake.Options{Token: token, BaseURL: "http://gitlab.test"})
			ids := addProjects(f, "gitops", n)
			r := httptest.NewRequest("GET", "/api/v4/groups/gitops/projects?per_page=100&archived=false", nil)
			r.Header.Set("PRIVATE-TOKEN", token)
			b.ResetTimer()
			w := &discard{}
			for range b.N {
				f.Archive(ids[0], false)
				w.reset()
				f.ServeHTTP(w, r)
			}
		})
	}
}

// BenchmarkWalkClientGo lists every project through client-go over loopback,
// with offset and keyset pagination.
func BenchmarkWalkClientGo(b *testing.B) {
	for _, n := range benchSizes {
		f := gitlabfake.Start(b, gitlabfake.Options{Token: token})
		addProjects(f, "gitops", n)
		c := client(b, f)
		b.Run(fmt.Sprintf("offset/N=%d", n), func(b *testing.B) {
			for range b.N {
				opt := &gitlab.ListGroupProjectsOptions{ListOptions: gitlab.ListOptions{PerPage: 100}}
				seen := 0
				for {
					ps, resp, err := c.Groups.ListGroupProjects("gitops", opt)
					if err != nil {
						b.Fatal(err)
					}
					seen += len(ps)
					if resp.NextPage == 0 {
						break
					}
					opt.Page = resp.NextPage
				}
				if seen != n {
					b.Fatalf("saw %d of %d", seen, n)
				}
			}
		})
		b.Run(fmt.Sprintf("keyset/N=%d", n), func(b *testing.B) {
			for range b.N {
				opt := &gitlab.ListGroupProjectsOptions{ListOptions: gitlab.ListOptions{PerPage: 100, Pagination: "keyset", OrderBy: "id", Sort: "asc"}}
				seen := 0
				var next []gitlab.RequestOptionFunc
				for {
					ps, resp, err := c.Groups.ListGroupProjects("gitops", opt, next...)
					if err != nil {
						b.Fatal(err)
					}
					seen += len(ps)
					if resp.NextLink == "" {
						break
					}
					next = []gitlab.RequestOptionFunc{gitlab.WithKeysetPaginationParameters(resp.NextLink)}
				}
				if seen != n {
					b.Fatalf("saw %d of %d", seen, n)
				}
			}
		})
	}
}

// BenchmarkGetFile is one files-API read in-process.
func BenchmarkGetFile(b *testing.B) {
	f := gitlabfake.New(gitlabfake.Options{Token: token, BaseURL: "http://gitlab.test"})
	f.AddProject(gitlabfake.ProjectSpec{Namespace: "g", Path: "p", Files: map[string]string{"app.yaml": "name: x\n"}})
	r := httptest.NewRequest("GET", "/api/v4/projects/g%2Fp/repository/files/app%2Eyaml?ref=main", nil)
	r.Header.Set("PRIVATE-TOKEN", token)
	b.ReportAllocs()
	w := &discard{}
	for range b.N {
		w.reset()
		f.ServeHTTP(w, r)
		if w.code != 200 {
			b.Fatal(w.code)
		}
	}
}

// discard is a ResponseWriter that keeps nothing, so benchmarks measure the
// fake rather than a recorder's buffer growth.
type discard struct {
	h    http.Header
	code int
	n    int
}

func (d *discard) reset()               { d.h, d.code, d.n = http.Header{}, 0, 0 }
func (d *discard) Header() http.Header  { return d.h }
func (d *discard) WriteHeader(code int) { d.code = code }
func (d *discard) Write(b []byte) (int, error) {
	if d.code == 0 {
		d.code = 200
	}
	d.n += len(b)
	return len(b), nil
}
