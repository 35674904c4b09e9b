package source_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/vibe-coder-biz/idp/internal/gitlabfake"
	"github.com/vibe-coder-biz/idp/plugin-generator/source"
)

// TestGraphQLBatchesColdReads: a cold scan of 250 projects costs three
// listing pages, the count, and three GraphQL queries; what it reads is
// what REST reads, commit SHAs included.
func TestGraphQLBatchesColdReads(t *testing.T) {
	const n = 250
	fake := bigGroup(t, gitlabfake.Options{}, n)
	viaREST, err := newSource(t, fake, func(o *source.GitLabOptions) { o.NoGraphQL = true }).Scan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	fake.ResetCounts()
	viaGraphQL, err := newSource(t, fake, nil).Scan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := fake.Requests(); got[graphQL] != 3 || got[fileRead] != 0 || fake.TotalRequests() != 7 {
		t.Fatalf("requests = %v, want 3 listing pages, 1 count, 3 GraphQL queries", got)
	}
	sameReads(t, viaGraphQL, viaREST)
}

// TestGraphQLRefusalShrinksTheBatch: a query GitLab refuses for its
// complexity is asked again in halves, and the smaller size sticks.
func TestGraphQLRefusalShrinksTheBatch(t *testing.T) {
	fake := bigGroup(t, gitlabfake.Options{}, 120)
	fake.Inject(gitlabfake.Fault{Endpoint: graphQL, Status: http.StatusOK, Times: 1,
		Body: `{"errors":[{"message":"Query has complexity of 301, which exceeds max complexity of 250"}]}`})
	g := newSource(t, fake, nil)
	repos, err := g.Scan(context.Background())
	if err != nil || len(apps(repos)) != 120 {
		t.Fatalf("%d apps, %v", len(apps(repos)), err)
	}
	if got := fake.Requests(); got[graphQL] != 1+3 || got[fileRead] != 0 {
		t.Fatalf("requests = %v, want the refused query and 120 projects in batches of 50", got)
	}
}

// TestGraphQLLeavesToRESTWhatItCannotAnswer: a project the GraphQL answer
// leaves out, and every project when GraphQL itself fails, is read through
// REST.
func TestGraphQLLeavesToRESTWhatItCannotAnswer(t *testing.T) {
	fake := bigGroup(t, gitlabfake.Options{}, 10)
	fake.Inject(gitlabfake.Fault{Endpoint: graphQL, Status: http.StatusBadGateway, Times: 2}) // past client-go's one retry
	g := newSource(t, fake, func(o *source.GitLabOptions) { o.RetryMax = 1; o.RetryWait = time.Millisecond })
	repos, err := g.Scan(context.Background())
	if err != nil || len(apps(repos)) != 10 {
		t.Fatalf("%d apps, %v", len(apps(repos)), err)
	}
	if got := fake.Requests()[fileRead]; got != 10 {
		t.Fatalf("%d REST reads after GraphQL failed, want 10", got)
	}
	fake.ResetCounts()
	p, _ := fake.ProjectByPath("gitops/app-000")
	fake.Commit(p.ID, map[string]string{"app.yaml": appYAML("app-000") + "  replicas: 3\n"})
	fake.Inject(gitlabfake.Fault{Endpoint: graphQL, Status: http.StatusOK, Times: 1,
		Body: `{"data":{"projects":{"nodes":[]}}}`})
	repos, err = g.Scan(context.Background())
	if err != nil || find(t, repos, p.ID).ReadError != "" || fake.Requests()[fileRead] != 1 {
		t.Fatalf("missing from the answer: %v, %v", fake.Requests(), err)
	}
}

// TestGraphQLColdScanUnderGitLabLimits: 1,000 projects under gitlab.com's
// 2,000 requests a minute: one scan, 22 requests, no 429.
func TestGraphQLColdScanUnderGitLabLimits(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 1,000 projects")
	}
	fake := bigGroup(t, gitlabfake.Options{Now: time.Now}, 1000)
	fake.SetRateLimit(2000)
	repos, err := newSource(t, fake, nil).Scan(context.Background())
	if err != nil || len(apps(repos)) != 1000 {
		t.Fatalf("%d apps, %v", len(apps(repos)), err)
	}
	if n := fake.TotalRequests(); n != 11+1+10 {
		t.Fatalf("%d requests (%v), want 11 listing pages (the last one empty), the count, 10 GraphQL queries", n, fake.Requests())
	}
}

func sameReads(t *testing.T, got, want []source.Repo) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d repos, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.ID != w.ID || string(g.AppYAML) != string(w.AppYAML) || g.HasApp() != w.HasApp() || g.CommitSHA != w.CommitSHA || g.ReadError != "" {
			t.Fatalf("project %d: GraphQL read %q at %s, REST %q at %s", w.ID, g.AppYAML, g.CommitSHA, w.AppYAML, w.CommitSHA)
		}
	}
}
