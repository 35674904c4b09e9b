package gitlabfake_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/vibe-coder-biz/idp/internal/gitlabfake"
)

func TestFaultTimesAndRetries(t *testing.T) {
	for _, status := range []int{500, 502, 503, 429} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			f, _ := start(t)
			id := f.AddProject(gitlabfake.ProjectSpec{Namespace: "g", Path: "p"}).ID
			c := client(t, f)
			f.Inject(gitlabfake.Fault{Endpoint: "GET /projects/:id", Status: status, Times: 3})
			if _, _, err := c.Projects.GetProject(id, nil); err != nil {
				t.Fatalf("client-go should retry %d past 3 failures: %v", status, err)
			}
			if n := f.Requests()["GET /projects/:id"]; n != 4 {
				t.Fatalf("requests = %d, want 3 failures + 1 success", n)
			}
			if _, _, err := c.Projects.GetProject(id, nil); err != nil || f.Requests()["GET /projects/:id"] != 5 {
				t.Fatal("the fault should be used up")
			}
		})
	}
}

func TestFaultUntilCleared(t *testing.T) {
	f, _ := start(t)
	f.AddProject(gitlabfake.ProjectSpec{Namespace: "g", Path: "p"})
	c := client(t, f, gitlab.WithCustomRetryMax(2))
	f.Inject(gitlabfake.Fault{Path: "/api/v4/groups/", Status: 503})
	_, resp, err := c.Groups.ListGroupProjects("g", nil)
	if err == nil || resp == nil || resp.StatusCode != 503 {
		t.Fatalf("want a 503 after retries, got %v", err)
	}
	if n := f.Requests()["GET /groups/:id/projects"]; n != 3 {
		t.Fatalf("requests = %d, want 1 + 2 retries", n)
	}
	// Other paths are untouched.
	if _, _, err := c.Projects.GetProject(1, nil); err != nil {
		t.Fatal(err)
	}
	f.ClearFaults()
	if _, _, err := c.Groups.ListGroupProjects("g", nil); err != nil {
		t.Fatal(err)
	}
}

func TestFaultStatusesAreNotRetried(t *testing.T) {
	f, _ := start(t)
	c := client(t, f)
	for _, status := range []int{401, 403, 404} {
		f.ResetCounts()
		f.Inject(gitlabfake.Fault{Method: "GET", Status: status, Times: 1})
		_, resp, err := c.Projects.GetProject(1, nil)
		if err == nil || resp.StatusCode != status || f.TotalRequests() != 1 {
			t.Fatalf("%d: err=%v status=%d requests=%d", status, err, resp.StatusCode, f.TotalRequests())
		}
	}
}

// What client-go v1.46.0 does with a 429: it retries (CheckRetry), and waits
// according to RateLimit-Reset (Unix seconds) when present, otherwise
// 100ms·2^attempt plus up to 300ms jitter. It never reads Retry-After.
func TestClientGo429Backoff(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for real backoffs")
	}
	f := gitlabfake.Start(t, gitlabfake.Options{Token: token})
	id := f.AddProject(gitlabfake.ProjectSpec{Namespace: "g", Path: "p"}).ID
	c, err := gitlab.NewClient(token, gitlab.WithBaseURL(f.URL())) // default backoff
	if err != nil {
		t.Fatal(err)
	}

	f.Inject(gitlabfake.Fault{Status: 429, RetryAfter: 3 * time.Second, Times: 1})
	began := time.Now()
	if _, _, err := c.Projects.GetProject(id, nil); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(began); d > 2*time.Second {
		t.Fatalf("Retry-After alone: waited %v; client-go was expected to ignore it", d)
	} else {
		t.Logf("429 with Retry-After: 3 only: client-go retried after %v", d)
	}

	reset := time.Now().Add(2 * time.Second).Unix()
	f.Inject(gitlabfake.Fault{Status: 429, Times: 1, Header: http.Header{"Ratelimit-Reset": {strconv.FormatInt(reset, 10)}}})
	began = time.Now()
	if _, _, err := c.Projects.GetProject(id, nil); err != nil {
		t.Fatal(err)
	}
	// reset is whole seconds, so it lies 1–2 s ahead of began.
	if d := time.Since(began); d < 900*time.Millisecond {
		t.Fatalf("RateLimit-Reset: retried after %v, before the reset", d)
	} else {
		t.Logf("429 with RateLimit-Reset in ~2s: client-go retried after %v", d)
	}
}

func TestDelayHonoursClientTimeout(t *testing.T) {
	f, srv := gitlabfake.NewServer(gitlabfake.Options{Token: token})
	id := f.AddProject(gitlabfake.ProjectSpec{Namespace: "g", Path: "p"}).ID
	c := client(t, f)

	f.Inject(gitlabfake.Fault{Delay: 50 * time.Millisecond, Times: 1})
	began := time.Now()
	if _, _, err := c.Projects.GetProject(id, nil); err != nil || time.Since(began) < 50*time.Millisecond {
		t.Fatalf("a Delay-only fault should slow, not fail: %v after %v", err, time.Since(began))
	}

	f.Inject(gitlabfake.Fault{Delay: time.Minute, Times: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	began = time.Now()
	_, _, err := c.Projects.GetProject(id, nil, gitlab.WithContext(ctx))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want deadline exceeded, got %v", err)
	}
	if d := time.Since(began); d > 5*time.Second {
		t.Fatalf("client waited %v", d)
	}
	// Close blocks until handlers return: the delayed one must have noticed
	// the client leaving instead of sleeping its minute.
	began = time.Now()
	srv.Close()
	if d := time.Since(began); d > 5*time.Second {
		t.Fatalf("handler outlived its client by %v", d)
	}
}

func TestRateLimit(t *testing.T) {
	f, clk := start(t)
	f.AddProject(gitlabfake.ProjectSpec{Namespace: "g", Path: "p"})
	f.SetRateLimit(3)
	url := f.APIURL() + "/projects/1"
	reset := strconv.FormatInt(t0.Truncate(time.Minute).Add(time.Minute).Unix(), 10)
	for i := 1; i <= 3; i++ {
		resp, _ := get(t, "GET", url, nil)
		if resp.StatusCode != 200 || resp.Header.Get("RateLimit-Limit") != "3" ||
			resp.Header.Get("RateLimit-Observed") != strconv.Itoa(i) ||
			resp.Header.Get("RateLimit-Remaining") != strconv.Itoa(3-i) ||
			resp.Header.Get("RateLimit-Reset") != reset || resp.Header.Get("Retry-After") != "" {
			t.Fatalf("request %d: %d %v", i, resp.StatusCode, resp.Header)
		}
	}
	resp, body := get(t, "GET", url, nil)
	// t0 is 03:04:05, so the window resets in 55 s.
	if resp.StatusCode != 429 || body != "Retry later\n" || resp.Header.Get("Retry-After") != "55" ||
		resp.Header.Get("RateLimit-Remaining") != "0" || resp.Header.Get("RateLimit-ResetTime") != "Fri, 02 Jan 2026 03:05:00 GMT" {
		t.Fatalf("throttled: %d %q %v", resp.StatusCode, body, resp.Header)
	}
	// Throttling applies before authentication and to unknown routes alike.
	if resp, _ := get(t, "GET", f.APIURL()+"/version", map[string]string{}); resp.StatusCode != 429 {
		t.Fatalf("unauthenticated request in an exhausted window: %d", resp.StatusCode)
	}
	clk.Advance(55 * time.Second)
	if resp, _ := get(t, "GET", url, nil); resp.StatusCode != 200 || resp.Header.Get("RateLimit-Observed") != "1" {
		t.Fatalf("next window: %d %v", resp.StatusCode, resp.Header)
	}
	f.SetRateLimit(0)
	if resp, _ := get(t, "GET", url, nil); resp.Header.Get("RateLimit-Limit") != "" {
		t.Fatal("headers without a limit")
	}
}

func TestRequestCounters(t *testing.T) {
	f, _ := start(t)
	id := f.AddProject(gitlabfake.ProjectSpec{Namespace: "g", Path: "p", Files: map[string]string{"dir/a.yaml": "a"}}).ID
	c := client(t, f)
	_, _, _ = c.Groups.ListGroupProjects("g", nil)
	_, _, _ = c.Groups.ListGroupProjects(1, nil)
	_, _, _ = c.Projects.GetProject("g/p", nil)
	_, _, _ = c.RepositoryFiles.GetFile(id, "dir/a.yaml", &gitlab.GetFileOptions{Ref: gitlab.Ptr("main")})
	_, _, _ = c.RepositoryFiles.GetFileMetaData(id, "dir/a.yaml", &gitlab.GetFileMetaDataOptions{Ref: gitlab.Ptr("main")})
	_, _, _ = c.RepositoryFiles.GetRawFile(id, "dir/a.yaml", nil)
	_, _, _ = c.Repositories.ListTree(id, nil)
	_, _, _ = c.Branches.ListBranches(id, nil)
	_, _, _ = c.Branches.GetBranch(id, "main")
	_, _, _ = c.Version.GetVersion()
	want := map[string]int{
		"GET /groups/:id/projects":                          2,
		"GET /projects/:id":                                 1,
		"GET /projects/:id/repository/files/:file_path":     1,
		"HEAD /projects/:id/repository/files/:file_path":    1,
		"GET /projects/:id/repository/files/:file_path/raw": 1,
		"GET /projects/:id/repository/tree":                 1,
		"GET /projects/:id/repository/branches":             1,
		"GET /projects/:id/repository/branches/:branch":     1,
		gitlabfake.Unmatched:                                1,
	}
	got := f.Requests()
	if len(got) != len(want) {
		t.Fatalf("Requests() = %v", got)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %d, want %d", k, got[k], v)
		}
	}
	if f.TotalRequests() != 10 {
		t.Fatalf("TotalRequests = %d", f.TotalRequests())
	}
	f.ResetCounts()
	if f.TotalRequests() != 0 || len(f.Requests()) != 0 || len(f.UnmatchedRequests()) != 0 {
		t.Fatal("ResetCounts left counts")
	}
}
