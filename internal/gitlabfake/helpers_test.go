package gitlabfake_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/vibe-coder-biz/idp/internal/gitlabfake"
)

const token = "glpat-test"

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// clock is a settable time source shared by a fake and its test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// start returns a fake with a stopped clock at t0, served on loopback.
func start(t testing.TB) (*gitlabfake.Fake, *clock) {
	t.Helper()
	c := &clock{t: t0}
	return gitlabfake.Start(t, gitlabfake.Options{Token: token, Now: c.Now}), c
}

// client returns a client-go client for f. Retries back off for a
// millisecond unless the caller passes its own options.
func client(t testing.TB, f *gitlabfake.Fake, opts ...gitlab.ClientOptionFunc) *gitlab.Client {
	t.Helper()
	all := append([]gitlab.ClientOptionFunc{
		gitlab.WithBaseURL(f.URL()),
		gitlab.WithCustomBackoff(func(_, _ time.Duration, _ int, _ *http.Response) time.Duration { return time.Millisecond }),
	}, opts...)
	c, err := gitlab.NewClient(token, all...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// get performs a raw request, for assertions on exact bodies and headers.
// A nil hdr sends the valid token; otherwise exactly hdr is sent.
func get(t testing.TB, method, url string, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if hdr == nil {
		hdr = map[string]string{"PRIVATE-TOKEN": token}
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// addProjects creates n projects in ns with created_at one minute apart, so
// the default order (created_at desc) is the reverse of creation.
func addProjects(f *gitlabfake.Fake, ns string, n int) []int64 {
	ids := make([]int64, n)
	for i := range n {
		p := f.AddProject(gitlabfake.ProjectSpec{
			Namespace: ns,
			Path:      fmt.Sprintf("app-%05d", i),
			CreatedAt: t0.Add(time.Duration(i) * time.Minute),
		})
		ids[i] = p.ID
	}
	return ids
}

func reversed(ids []int64) []int64 {
	out := make([]int64, len(ids))
	for i, id := range ids {
		out[len(ids)-1-i] = id
	}
	return out
}

func equalIDs(t testing.TB, what string, got, want []int64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d ids, want %d", what, len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("%s: position %d: got id %d, want %d", what, i, got[i], want[i])
		}
	}
}

func projectIDs(ps []*gitlab.Project) []int64 {
	ids := make([]int64, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	return ids
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// httptestRecorder serves one request in-process and returns the body.
func httptestRecorder(h http.Handler, method, url string) []byte {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, url, nil))
	return rec.Body.Bytes()
}
