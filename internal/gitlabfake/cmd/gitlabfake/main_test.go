package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/vibe-coder-biz/idp/internal/gitlabfake"
)

func TestControlAPI(t *testing.T) {
	fx, err := gitlabfake.ReadFixture(strings.NewReader(`{
		"groups": ["gitops"],
		"projects": [{"namespace": "gitops/team-a", "path": "hello", "topics": ["payments"], "files": {"app.yaml": "v1"}}]
	}`))
	if err != nil {
		t.Fatal(err)
	}
	f := gitlabfake.New(gitlabfake.Options{Token: "t"})
	f.Load(fx)
	srv := httptest.NewServer(newMux(f))
	defer srv.Close()
	f.SetBaseURL(srv.URL)

	do := func(method, path, body string) (int, string) {
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, string(b)
	}

	code, body := do("POST", "/-/fake/projects/gitops%2Fteam-a%2Fhello/commit", `{"files": {"app.yaml": "v2"}}`)
	var out struct {
		SHA       string          `json:"sha"`
		PushEvent json.RawMessage `json:"push_event"`
	}
	if code != 200 || json.Unmarshal([]byte(body), &out) != nil || len(out.SHA) != 40 {
		t.Fatalf("commit: %d %s", code, body)
	}
	ev, err := gitlab.ParseWebhook(gitlab.EventTypePush, out.PushEvent)
	if err != nil || ev.(*gitlab.PushEvent).After != out.SHA {
		t.Fatalf("push event: %v", err)
	}

	c, err := gitlab.NewClient("t", gitlab.WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	raw, _, err := c.RepositoryFiles.GetRawFile("gitops/team-a/hello", "app.yaml", nil)
	if err != nil || string(raw) != "v2" {
		t.Fatalf("raw: %v %q", err, raw)
	}

	if code, _ := do("POST", "/-/fake/faults", `{"endpoint": "GET /projects/:id", "status": 404, "times": 1}`); code != 204 {
		t.Fatalf("fault: %d", code)
	}
	if _, _, err := c.Projects.GetProject(1, nil); err == nil {
		t.Fatal("fault not applied")
	}
	code, body = do("GET", "/-/fake/requests", "")
	if code != 200 || !strings.Contains(body, `"GET /projects/:id/repository/files/:file_path/raw":1`) || !strings.Contains(body, `"total":2`) {
		t.Fatalf("requests: %s", body)
	}
	if code, _ := do("POST", "/-/fake/projects", `{"namespace": "gitops", "path": "new"}`); code != 200 {
		t.Fatalf("add project: %d", code)
	}
	if code, _ := do("POST", "/-/fake/projects/2/archive", `{"archived": true}`); code != 204 {
		t.Fatalf("archive: %d", code)
	}
	if p, _ := f.Project(2); !p.Archived {
		t.Fatal("not archived")
	}
	if code, _ := do("PUT", "/-/fake/rate-limit", `{"requests_per_minute": 1}`); code != 204 {
		t.Fatal("rate limit")
	}
	if code, _ := do("GET", "/api/v4/projects/1?private_token=t", ""); code != 200 {
		t.Fatalf("first request in window: %d", code)
	}
	if code, _ := do("GET", "/api/v4/projects/1?private_token=t", ""); code != 429 {
		t.Fatalf("second request in window: %d", code)
	}
}
