package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/vibe-coder-biz/idp/appspec"
	"github.com/vibe-coder-biz/idp/internal/gitlabfake"
	"github.com/vibe-coder-biz/idp/plugin-generator/catalog"
	"github.com/vibe-coder-biz/idp/plugin-generator/server"
	"github.com/vibe-coder-biz/idp/plugin-generator/source"
)

var faults = []gitlabfake.Fault{
	{Path: "/api/v4/groups/", Status: 500},
	{Path: "/api/v4/groups/", Status: 502, Times: 1},
	{Path: "/api/v4/groups/", Status: 429, Times: 2},
	{Endpoint: "GET /projects/:id/repository/files/:file_path", Status: 503},
	{Endpoint: "GET /projects/:id/repository/files/:file_path", Status: 500, Times: 3},
	{Status: 401},
	{Path: "/api/v4/groups/", Delay: time.Second},
	{Path: "/api/v4/groups/", Status: 404},
	{Endpoint: "GET /groups/:id/projects", Truncate: 1},
	{Endpoint: "GET /groups/:id/projects", Truncate: 1, Times: 1},
	{Endpoint: "GET /groups/:id/projects", SetHeader: http.Header{"X-Total": {"11"}}},
	{Path: "/api/v4/projects/", Status: 404, Body: `{"message":"404 Project Not Found"}`},
	{Path: "/api/v4/projects/", Status: 403},
}

// TestNoFaultSequenceShortensTheAnswer: with GitLab's content unchanged,
// whatever faults GitLab shows over successive refreshes, getparams answers
// either every app or an error, never a 200 with fewer apps.
func TestNoFaultSequenceShortensTheAnswer(t *testing.T) {
	fake := gitlabfake.Start(t, gitlabfake.Options{Token: "glpat"})
	const n = 12
	for i := range n {
		name := fmt.Sprintf("app-%02d", i)
		group := []string{"gitops", "gitops/a", "gitops/a/b"}[i%3]
		fake.AddProject(gitlabfake.ProjectSpec{Namespace: group, Path: name, Files: map[string]string{
			"app.yaml": fmt.Sprintf("apiVersion: idp.vibe-coder.biz/v1alpha1\nkind: App\nmetadata:\n  name: %s\nspec:\n  owner: team-a\n  image: 123456789012.dkr.ecr.us-east-2.amazonaws.com/apps/%s:abc1234\n  port: 3000\n", name, name),
		}})
	}
	rapid.Check(t, func(rt *rapid.T) {
		fake.ClearFaults()
		src, err := source.NewGitLab(source.GitLabOptions{
			BaseURL: fake.URL(), Token: "glpat", Group: "gitops", RetryMax: 1, RetryWait: time.Millisecond,
			RevalidateAfter: rapid.SampledFrom([]time.Duration{time.Nanosecond, time.Hour}).Draw(rt, "revalidate after"),
			RevalidateSlice: rapid.IntRange(1, 3).Draw(rt, "revalidate slice"),
			HTTPClient:      &http.Client{Timeout: 200 * time.Millisecond},
		})
		if err != nil {
			rt.Fatal(err)
		}
		store := catalog.NewStore(src, appspec.DefaultPlatform())
		f := &fixture{store: store}
		_, tok := secretFile(t, token)
		hs := startServer(t, server.Config{Store: store, Token: tok, MaxStaleness: time.Hour, FirstScanWait: time.Millisecond})
		f.url = hs
		complete := false
		for range rapid.IntRange(1, 6).Draw(rt, "refreshes") {
			fake.ClearFaults()
			if rapid.Bool().Draw(rt, "faulty") {
				fake.Inject(rapid.SampledFrom(faults).Draw(rt, "fault"))
			}
			if store.Refresh(context.Background()) == nil {
				complete = true
			}
			code, body := f.getParams(t, token, emptyInput)
			switch {
			case code == http.StatusOK:
				var resp struct {
					Output struct {
						Parameters []map[string]any `json:"parameters"`
					} `json:"output"`
				}
				if err := json.Unmarshal([]byte(body), &resp); err != nil || len(resp.Output.Parameters) != n {
					rt.Fatalf("200 with %d apps, want %d (%v)", len(resp.Output.Parameters), n, err)
				}
			case code >= 500 && !complete:
			default:
				rt.Fatalf("status %d after a complete scan: %s", code, body)
			}
		}
	})
}
