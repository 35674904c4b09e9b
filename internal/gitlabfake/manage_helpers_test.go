package gitlabfake_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/vibe-coder-biz/idp/internal/gitlabfake"
)

// startManaged returns a fake with a stopped clock that serves git for the
// projects it creates, with groups apps and gitops (private) in place.
func startManaged(t testing.TB, opts gitlabfake.Options) (*gitlabfake.Fake, *clock) {
	t.Helper()
	c := &clock{t: t0}
	opts.Token, opts.Now = token, c.Now
	if opts.GitRoot == "" {
		opts.GitRoot = t.TempDir()
	}
	f := gitlabfake.Start(t, opts)
	for _, g := range []string{"apps", "gitops"} {
		f.AddGroup(g)
		f.SetGroupVisibility(g, "private")
	}
	return f, c
}

// send performs a raw request with a JSON body and the given token (the main
// one when tok is ""), for assertions on exact status and body.
func send(t testing.TB, method, url, tok string, body any) (int, string) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if tok == "" {
		tok = token
	}
	req.Header.Set("PRIVATE-TOKEN", tok)
	req.Header.Set("Content-Type", "application/json")
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

// create makes a project in the named group through the API.
func create(t testing.TB, c *gitlab.Client, f *gitlabfake.Fake, group, path string) *gitlab.Project {
	t.Helper()
	ns, _, err := c.Namespaces.GetNamespace(group)
	if err != nil {
		t.Fatalf("namespace %s: %v", group, err)
	}
	p, _, err := c.Projects.CreateProject(&gitlab.CreateProjectOptions{NamespaceID: &ns.ID, Path: &path})
	if err != nil {
		t.Fatalf("create %s/%s: %v", group, path, err)
	}
	return p
}

// statusOf is the HTTP status of a client-go error (0 for success).
func statusOf(t testing.TB, err error) int {
	t.Helper()
	if err == nil {
		return 0
	}
	var e *gitlab.ErrorResponse
	if errors.As(err, &e) {
		return e.Response.StatusCode
	}
	if errors.Is(err, gitlab.ErrNotFound) {
		return 404
	}
	t.Fatalf("not an API error: %v", err)
	return 0
}

func expectBody(t testing.TB, what string, gotStatus int, gotBody string, wantStatus int, wantBody string) {
	t.Helper()
	if gotStatus != wantStatus || !jsonEqual(gotBody, wantBody) {
		t.Fatalf("%s: got %d %s, want %d %s", what, gotStatus, gotBody, wantStatus, wantBody)
	}
}

func jsonEqual(a, b string) bool {
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return a == b
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return bytes.Equal(xa, ya)
}

func contains(s, sub string) bool { return bytes.Contains([]byte(s), []byte(sub)) }

func postForm(t testing.TB, url, form string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("POST", url, bytes.NewReader([]byte(form)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("PRIVATE-TOKEN", token)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// mustProject reads a project back through client-go.
func mustProject(t testing.TB, f *gitlabfake.Fake, id int64) *gitlab.Project {
	t.Helper()
	p, _, err := client(t, f).Projects.GetProject(id, nil)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
