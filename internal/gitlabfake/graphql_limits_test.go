package gitlabfake_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/vibe-coder-biz/idp/internal/gitlabfake"
)

// Scores are GitLab's: see graphql_complexity.go for the rules.
func TestGraphQLQueryComplexityScores(t *testing.T) {
	f, _ := start(t)
	p := f.AddProject(gitlabfake.ProjectSpec{Namespace: "gitops", Path: "a", Files: map[string]string{"app.yaml": "a"}})
	c := client(t, f)
	withTree := strings.Replace(batchQuery, "rootRef blobs", "rootRef tree { lastCommit { sha } } blobs", 1)
	sveltia := `query($paths: [String!]!) { project(fullPath: "gitops/a") { repository {
	  blobs(ref: "main", paths: $paths) { nodes { size rawTextBlob } } } } }`
	paths := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("content/%d.md", i)
		}
		return out
	}
	cases := []struct {
		name  string
		query string
		vars  map[string]any
		score int // without the queryComplexity selection, which costs 3
	}{
		{"batch of 1", batchQuery, map[string]any{"first": 1}, 19},
		{"batch of 10", batchQuery, map[string]any{"first": 10}, 20},
		{"batch of 50", batchQuery, map[string]any{"first": 50}, 28},
		{"batch of 100", batchQuery, map[string]any{"first": 100}, 38},
		{"batch, page size capped at 100", batchQuery, map[string]any{"first": 500}, 38},
		{"batch by ids without first", batchQuery, map[string]any{"ids": []string{gid(p.ID)}}, 38},
		{"batch with tree of 100", withTree, map[string]any{"first": 100}, 64},
		// Sveltia CMS measured 15 + 2 * paths with queryComplexity selected (gitlab-org/gitlab#576497).
		{"one project, 1 path", sveltia, map[string]any{"paths": paths(1)}, 15 + 2 - 3},
		{"one project, 100 paths", sveltia, map[string]any{"paths": paths(100)}, 15 + 200 - 3},
		// group: 1 + projects: (nodes 2 + 1 + 10) * 1.2, truncated.
		{"group projects", `{ group(fullPath: "gitops") { projects(first: 20) { nodes { id } } } }`, nil, 16},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q := strings.Replace(tc.query, "{", "{ queryComplexity { score limit } ", 1)
			var out struct{ QueryComplexity struct{ Score, Limit int } }
			graphQL(t, c, q, tc.vars).data(t, &out)
			if out.QueryComplexity.Score != tc.score+3 || out.QueryComplexity.Limit != 250 {
				t.Fatalf("queryComplexity = %+v, want score %d limit 250", out.QueryComplexity, tc.score+3)
			}
		})
	}
}

func TestGraphQLComplexityLimit(t *testing.T) {
	f, _ := start(t)
	f.AddProject(gitlabfake.ProjectSpec{Namespace: "gitops", Path: "a", Visibility: "public", Files: map[string]string{"app.yaml": "a"}})
	paths := make([]string, 60)
	for i := range paths {
		paths[i] = fmt.Sprintf("apps/%d/app.yaml", i)
	}
	// 3 + floor(131 * (1 + first/100)): 250 at first 89, 251 at 90, and
	// 200 at 51, 202 at 52.
	const q = `query($first: Int, $paths: [String!]!) {
	  queryComplexity { score limit }
	  projects(first: $first) { nodes { repository { blobs(paths: $paths) { nodes { rawBlob } } } } }
	}`
	cases := []struct {
		name  string
		c     *gitlab.Client
		first int
		err   string
	}{
		{"authenticated, fits", client(t, f), 89, ""},
		{"authenticated, one too many", client(t, f), 90, "Query has complexity of 251, which exceeds max complexity of 250"},
		{"anonymous, same page", anonymous(t, f), 89, "Query has complexity of 250, which exceeds max complexity of 200"},
		{"anonymous, fits", anonymous(t, f), 51, ""},
		{"anonymous, one too many", anonymous(t, f), 52, "Query has complexity of 202, which exceeds max complexity of 200"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := graphQL(t, tc.c, q, map[string]any{"first": tc.first, "paths": paths})
			if tc.err == "" {
				var out struct{ QueryComplexity struct{ Score int } }
				a.data(t, &out)
				return
			}
			if _, has := a.raw["data"]; has || !slices.Equal(a.messages(), []string{tc.err}) {
				t.Fatalf("answer: %v", a.raw)
			}
		})
	}
}

func TestGraphQLDepthLimit(t *testing.T) {
	f, _ := start(t)
	c := client(t, f)
	parents := strings.Repeat("parent { ", 19)
	q := "{ group(fullPath: \"g\") { " + parents + "id" + strings.Repeat(" }", 19) + " } }"
	a := graphQL(t, c, q, nil)
	if want := "Query has depth of 21, which exceeds max depth of 20"; !slices.Equal(a.messages(), []string{want}) {
		t.Fatalf("errors: %v", a.messages())
	}
}

func TestGraphQLFaultsRateLimitAndCounting(t *testing.T) {
	f, _ := start(t)
	c := client(t, f)
	const q = `{ queryComplexity { score } }`

	f.Inject(gitlabfake.Fault{Endpoint: "POST /api/graphql", Status: 502, Times: 2})
	var out struct{ QueryComplexity struct{ Score int } }
	graphQL(t, c, q, nil).data(t, &out) // client-go retries past the 502s
	if n := f.Requests()["POST /api/graphql"]; n != 3 {
		t.Fatalf("requests = %d, want 2 failures + 1 success", n)
	}
	f.Inject(gitlabfake.Fault{Path: "/api/graphql", Status: 403, Times: 1})
	if resp, _ := postGraphQL(t, f, nil, `{"query": "{ queryComplexity { score } }"}`); resp.StatusCode != 403 {
		t.Fatalf("path fault: %d", resp.StatusCode)
	}

	f.ResetCounts()
	f.SetRateLimit(2)
	for i := 1; i <= 3; i++ {
		resp, body := postGraphQL(t, f, nil, `{"query": "{ queryComplexity { score } }"}`)
		if i <= 2 && (resp.StatusCode != 200 || resp.Header.Get("RateLimit-Observed") != fmt.Sprint(i)) ||
			i == 3 && (resp.StatusCode != 429 || body != "Retry later\n") {
			t.Fatalf("request %d: %d %q %v", i, resp.StatusCode, body, resp.Header)
		}
	}
	// The shared window counts REST and GraphQL alike.
	if resp, _ := get(t, "GET", f.APIURL()+"/projects/1", nil); resp.StatusCode != 429 {
		t.Fatalf("REST in an exhausted window: %d", resp.StatusCode)
	}
	if got := f.Requests(); got["POST /api/graphql"] != 3 || got["GET /projects/:id"] != 1 {
		t.Fatalf("Requests() = %v", got)
	}
	if resp, _ := get(t, "GET", f.URL()+"/api/graphql", nil); resp.StatusCode != 429 || f.Requests()[gitlabfake.Unmatched] != 1 {
		t.Fatalf("GET /api/graphql is not the endpoint: %d %v", resp.StatusCode, f.Requests())
	}
}

func TestGraphQLBatchIsChargedWhole(t *testing.T) {
	f, _ := start(t)
	f.AddProject(gitlabfake.ProjectSpec{Namespace: "g", Path: "p", Files: map[string]string{"app.yaml": "a"}})
	one := `{"query": "{ projects(first: 100) { nodes { id repository { blobs(paths: [\"app.yaml\"]) { nodes { rawBlob } } } } } }"}`
	resp, body := postGraphQL(t, f, nil, "["+one+","+one+"]")
	var two []map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &two); err != nil || resp.StatusCode != 200 || len(two) != 2 || two[1]["data"] == nil {
		t.Fatalf("batch of two: %d %s", resp.StatusCode, body)
	}
	// Each costs 28, well under the limit; nine cost 252 together.
	nine := "[" + strings.TrimSuffix(strings.Repeat(one+",", 9), ",") + "]"
	_, body = postGraphQL(t, f, nil, nine)
	if strings.Count(body, "Query has complexity of 252, which exceeds max complexity of 250") != 9 || strings.Contains(body, `"data"`) {
		t.Fatalf("batch of nine: %s", body)
	}
}

func TestGraphQLQueryTooLarge(t *testing.T) {
	f, _ := start(t)
	q, _ := json.Marshal(map[string]string{"query": "{ queryComplexity { score } }" + strings.Repeat(" ", 10_000)})
	resp, body := postGraphQL(t, f, nil, string(q))
	if resp.StatusCode != 422 || body != `{"errors":[{"message":"Query too large"}]}` {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
}
