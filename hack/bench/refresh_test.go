// Package bench compares the generator's GitLab cost with Argo CD's own
// SCM-provider generator, both run against the same fake GitLab in the same
// process: requests and wall time per full and per unchanged refresh.
package bench

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/argoproj/argo-cd/v3/applicationset/services/scm_provider"
	"github.com/argoproj/argo-cd/v3/pkg/apis/application/v1alpha1"

	"github.com/vibe-coder-biz/idp/internal/gitlabfake"
	"github.com/vibe-coder-biz/idp/plugin-generator/source"
)

const token = "glpat-bench"

// groupWith makes N app projects spread over ten subgroups.
func groupWith(tb testing.TB, n int) *gitlabfake.Fake {
	tb.Helper()
	fake := gitlabfake.Start(tb, gitlabfake.Options{Token: token})
	for i := range n {
		name := fmt.Sprintf("app-%05d", i)
		fake.AddProject(gitlabfake.ProjectSpec{
			Namespace: fmt.Sprintf("gitops/team-%d", i%10),
			Path:      name,
			Files: map[string]string{"app.yaml": fmt.Sprintf(
				"apiVersion: idp.vibe-coder.biz/v1alpha1\nkind: App\nmetadata:\n  name: %s\nspec:\n  owner: team-a\n  image: 123456789012.dkr.ecr.us-east-2.amazonaws.com/apps/%s:abc1234\n  port: 3000\n", name, name)},
		})
	}
	return fake
}

func ours(tb testing.TB, fake *gitlabfake.Fake) *source.GitLab {
	return oursWith(tb, fake, false)
}

func oursWith(tb testing.TB, fake *gitlabfake.Fake, restOnly bool) *source.GitLab {
	g, err := source.NewGitLab(source.GitLabOptions{BaseURL: fake.URL(), Token: token, Group: "gitops", NoGraphQL: restOnly, HTTPClient: &http.Client{Timeout: 30 * time.Second}})
	if err != nil {
		tb.Fatal(err)
	}
	return g
}

// argoRefresh is one refresh of an SCM-provider generator selecting the
// group's repositories that hold app.yaml, as Argo CD runs it.
func argoRefresh(tb testing.TB, fake *gitlabfake.Fake) int {
	p, err := scm_provider.NewGitlabProvider("gitops", token, fake.URL(), false, true, false, false, false, "", "", nil, "", "")
	if err != nil {
		tb.Fatal(err)
	}
	repos, err := scm_provider.ListRepos(context.Background(), p, []v1alpha1.SCMProviderGeneratorFilter{{PathsExist: []string{"app.yaml"}}}, "https")
	if err != nil {
		tb.Fatal(err)
	}
	return len(repos)
}

var sizes = []int{100, 1000, 10000}

// BenchmarkRefresh reports GitLab requests per refresh next to time.
func BenchmarkRefresh(b *testing.B) {
	for _, n := range sizes {
		fake := groupWith(b, n)
		b.Run(fmt.Sprintf("N=%d/generator-full", n), func(b *testing.B) {
			fake.ResetCounts()
			for b.Loop() {
				if repos, err := ours(b, fake).Scan(context.Background()); err != nil || len(repos) != n {
					b.Fatalf("%d repos, %v", len(repos), err)
				}
			}
			b.ReportMetric(float64(fake.TotalRequests())/float64(b.N), "requests/op")
		})
		b.Run(fmt.Sprintf("N=%d/generator-full-rest-only", n), func(b *testing.B) {
			fake.ResetCounts()
			for b.Loop() {
				if repos, err := oursWith(b, fake, true).Scan(context.Background()); err != nil || len(repos) != n {
					b.Fatalf("%d repos, %v", len(repos), err)
				}
			}
			b.ReportMetric(float64(fake.TotalRequests())/float64(b.N), "requests/op")
		})
		b.Run(fmt.Sprintf("N=%d/generator-unchanged", n), func(b *testing.B) {
			g := ours(b, fake)
			if _, err := g.Scan(context.Background()); err != nil {
				b.Fatal(err)
			}
			fake.ResetCounts()
			for b.Loop() {
				if _, err := g.Scan(context.Background()); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(fake.TotalRequests())/float64(b.N), "requests/op")
		})
		b.Run(fmt.Sprintf("N=%d/argocd-scm-provider", n), func(b *testing.B) {
			fake.ResetCounts()
			for b.Loop() {
				if got := argoRefresh(b, fake); got != n {
					b.Fatalf("Argo CD found %d repositories, want %d", got, n)
				}
			}
			b.ReportMetric(float64(fake.TotalRequests())/float64(b.N), "requests/op")
		})
	}
}

// TestRequestBudget: at 1,000 projects an unchanged refresh costs at least
// 50 times fewer GitLab requests than Argo CD's SCM-provider generator.
// Request counts are deterministic, unlike times.
func TestRequestBudget(t *testing.T) {
	fake := groupWith(t, 1000)
	g := ours(t, fake)
	if _, err := g.Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	fake.ResetCounts()
	if _, err := g.Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	oursN := fake.TotalRequests()
	fake.ResetCounts()
	argoRefresh(t, fake)
	argoN := fake.TotalRequests()
	t.Logf("unchanged refresh at N=1000: generator %d requests, Argo CD SCM provider %d", oursN, argoN)
	if oursN*50 > argoN {
		t.Fatalf("generator %d requests vs Argo CD %d: under 50x fewer", oursN, argoN)
	}
}

// gitlabComLimit is gitlab.com's authenticated API rate limit per user,
// which both replicas of the generator share.
const gitlabComLimit = 2000

// BenchmarkColdUnderGitLabLimits runs one cold scan against the fake with
// gitlab.com's limit enforced: the generator at 10,000 projects, Argo CD's
// SCM provider at 1,000 (at 10,000 it needs 30,100 requests, over 15 minutes
// of the limit). It reports requests, 429s and wall time.
func BenchmarkColdUnderGitLabLimits(b *testing.B) {
	for _, tc := range []struct {
		name string
		n    int
		scan func(testing.TB, *gitlabfake.Fake) int
	}{
		{"generator", 10000, func(tb testing.TB, f *gitlabfake.Fake) int {
			repos, err := ours(tb, f).Scan(context.Background())
			if err != nil {
				tb.Fatal(err)
			}
			return len(repos)
		}},
		{"argocd-scm-provider", 1000, argoRefresh},
	} {
		fake := groupWith(b, tc.n)
		b.Run(fmt.Sprintf("N=%d/%s", tc.n, tc.name), func(b *testing.B) {
			fake.SetRateLimit(gitlabComLimit)
			defer fake.SetRateLimit(0)
			fake.ResetCounts()
			for b.Loop() {
				if got := tc.scan(b, fake); got != tc.n {
					b.Fatalf("%d repositories, want %d", got, tc.n)
				}
			}
			b.ReportMetric(float64(fake.TotalRequests())/float64(b.N), "requests/op")
			b.ReportMetric(float64(fake.Throttled())/float64(b.N), "throttled/op")
		})
	}
}

// TestColdScanWithinGitLabLimits: at 10,000 projects a cold scan costs at
// most 1,000 GitLab requests and none is throttled under gitlab.com's
// limit; an unchanged refresh costs only the listing pages and the count.
func TestColdScanWithinGitLabLimits(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 10,000 projects")
	}
	fake := groupWith(t, 10000)
	fake.SetRateLimit(gitlabComLimit)
	g := ours(t, fake)
	if _, err := g.Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	cold, throttled := fake.TotalRequests(), fake.Throttled()
	fake.ResetCounts()
	if _, err := g.Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	unchanged := fake.Requests()
	t.Logf("10,000 projects: cold scan %d requests (%d throttled), unchanged refresh %v", cold, throttled, unchanged)
	if cold > 1000 || throttled > 0 {
		t.Fatalf("cold scan: %d requests, %d throttled; want at most 1,000 and none", cold, throttled)
	}
	if len(unchanged) != 1 || unchanged["GET /groups/:id/projects"] != 101+1 {
		t.Fatalf("unchanged refresh: %v, want only the 101 listing pages and the count", unchanged)
	}
}
