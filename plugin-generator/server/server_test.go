package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vibe-coder-biz/idp/appspec"
	"github.com/vibe-coder-biz/idp/plugin-generator/catalog"
	"github.com/vibe-coder-biz/idp/plugin-generator/server"
	"github.com/vibe-coder-biz/idp/plugin-generator/source"
)

const token = "argocd-plugin-token"

func writeApp(t testing.TB, root, name string) {
	t.Helper()
	dir := filepath.Join(root, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	src := fmt.Sprintf("apiVersion: idp.vibe-coder.biz/v1alpha1\nkind: App\nmetadata:\n  name: %s\nspec:\n  owner: team-a\n  image: 123456789012.dkr.ecr.us-east-2.amazonaws.com/apps/%s:abc1234\n  port: 3000\n", name, name)
	if err := os.WriteFile(filepath.Join(dir, "app.yaml"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
}

func secretFile(t testing.TB, value string) (string, *server.Secret) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(path, []byte(value+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := server.NewSecret(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, s
}

type recorder struct {
	mu   sync.Mutex
	apps []string
	done chan struct{}
}

func (r *recorder) Refresh(_ context.Context, app string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.apps = append(r.apps, app)
	select {
	case r.done <- struct{}{}:
	default:
	}
	return nil
}

type fixture struct {
	url     string
	store   *catalog.Store
	root    string
	tokPath string
	refresh *recorder
}

func newFixture(t *testing.T, cfg func(*server.Config)) *fixture {
	root := t.TempDir()
	writeApp(t, root, "alpha")
	writeApp(t, root, "beta")
	store := catalog.NewStore(source.NewDir(root, "https://git.example.com/gitops.git", "main"), appspec.DefaultPlatform())
	tokPath, tok := secretFile(t, token)
	_, hook := secretFile(t, "hook-secret")
	reg := prometheus.NewRegistry()
	rec := &recorder{done: make(chan struct{}, 16)}
	c := server.Config{
		Store: store, Token: tok, WebhookSecret: hook, Refresher: rec,
		Metrics: server.NewMetrics(reg, func() float64 { return 0 }), Gatherer: reg,
		MaxStaleness: time.Hour, FirstScanWait: 50 * time.Millisecond,
	}
	if cfg != nil {
		cfg(&c)
	}
	return &fixture{url: startServer(t, c), store: store, root: root, tokPath: tokPath, refresh: rec}
}

// startServer serves cfg on a loopback port until the test ends.
func startServer(t *testing.T, cfg server.Config) string {
	if cfg.Gatherer == nil {
		reg := prometheus.NewRegistry()
		cfg.Gatherer, cfg.Metrics = reg, server.NewMetrics(reg, func() float64 { return 0 })
	}
	srv := server.New(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go srv.Start(ctx)
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return hs.URL
}

func (f *fixture) getParams(t *testing.T, tok, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, f.url+"/api/v1/getparams.execute", strings.NewReader(body))
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

const emptyInput = `{"applicationSetName":"apps","input":{"parameters":{}}}`

func TestGetParams(t *testing.T) {
	f := newFixture(t, nil)
	if code, body := f.getParams(t, token, emptyInput); code != http.StatusServiceUnavailable || !strings.Contains(body, "no complete scan") {
		t.Fatalf("before the first scan: %d %s", code, body)
	}
	if err := f.store.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	code, body := f.getParams(t, token, emptyInput)
	var resp struct {
		Output struct {
			Parameters []map[string]any `json:"parameters"`
		} `json:"output"`
	}
	if err := json.Unmarshal([]byte(body), &resp); code != 200 || err != nil {
		t.Fatalf("%d %s %v", code, body, err)
	}
	if got := len(resp.Output.Parameters); got != 2 || resp.Output.Parameters[0]["name"] != "alpha" {
		t.Fatalf("parameters = %v", resp.Output.Parameters)
	}
	for _, c := range []struct {
		tok, body string
		code      int
	}{
		{"", emptyInput, 401},
		{"wrong", emptyInput, 401},
		{token + "x", emptyInput, 401},
		{token, `{"input":`, 400},
		{token, `{"input":{"parameters":{"colour":"red"}}}`, 400},
		{token, `{"input":{"parameters":{"owner":"team-b"}}}`, 200},
	} {
		if code, body := f.getParams(t, c.tok, c.body); code != c.code {
			t.Errorf("token %q body %s: %d %s, want %d", c.tok, c.body, code, body, c.code)
		}
	}
}

func TestStaleScanIsRefused(t *testing.T) {
	f := newFixture(t, func(c *server.Config) { c.MaxStaleness = time.Nanosecond })
	if err := f.store.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Millisecond)
	if code, body := f.getParams(t, token, emptyInput); code != 503 || !strings.Contains(body, "over the") {
		t.Fatalf("%d %s", code, body)
	}
}

// TestTokenRotation: a rotated token file takes effect without a restart;
// an emptied file keeps the previous token rather than locking Argo CD out.
func TestTokenRotation(t *testing.T) {
	f := newFixture(t, nil)
	_ = f.store.Refresh(context.Background())
	write := func(v string) {
		// A new mtime is what the reload keys on; keep it distinct.
		time.Sleep(10 * time.Millisecond)
		if err := os.WriteFile(f.tokPath, []byte(v), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("rotated-token-value")
	if code, _ := f.getParams(t, token, emptyInput); code != 401 {
		t.Fatal("old token still accepted")
	}
	if code, _ := f.getParams(t, "rotated-token-value", emptyInput); code != 200 {
		t.Fatal("new token refused")
	}
}

func (f *fixture) webhook(t *testing.T, secret, event string, body []byte) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, f.url+"/api/v1/webhooks/gitlab", bytes.NewReader(body))
	if secret != "" {
		req.Header.Set("X-Gitlab-Token", secret)
	}
	req.Header.Set("X-Gitlab-Event", event)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func pushEvent(id int64, ref string) []byte {
	return []byte(fmt.Sprintf(`{"object_kind":"push","event_name":"push","ref":%q,"project_id":%d,"project":{"id":%d,"default_branch":"main"}}`, ref, id, id))
}

func TestWebhook(t *testing.T) {
	f := newFixture(t, nil)
	if err := f.store.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	snap, _ := f.store.Current()
	alpha := snap.Apps[0]
	if code := f.webhook(t, "", "Push Hook", pushEvent(alpha.ProjectID, "refs/heads/main")); code != 401 {
		t.Fatalf("no secret: %d", code)
	}
	if code := f.webhook(t, "wrong", "Push Hook", pushEvent(alpha.ProjectID, "refs/heads/main")); code != 401 {
		t.Fatalf("wrong secret: %d", code)
	}
	if code := f.webhook(t, "hook-secret", "Push Hook", pushEvent(alpha.ProjectID, "refs/heads/feature")); code != 204 {
		t.Fatalf("feature branch: %d", code)
	}
	if code := f.webhook(t, "hook-secret", "Push Hook", []byte("{")); code != 400 {
		t.Fatalf("broken payload: %d", code)
	}
	if code := f.webhook(t, "hook-secret", "Merge Request Hook", []byte(`{"object_kind":"merge_request"}`)); code != 204 {
		t.Fatalf("merge request event: %d, want 204 (no app changes)", code)
	}
	// A new app appears through a push to its (new) project.
	writeApp(t, f.root, "gamma")
	if code := f.webhook(t, "hook-secret", "Push Hook", pushEvent(alpha.ProjectID, "refs/heads/main")); code != 202 {
		t.Fatalf("push: %d", code)
	}
	select {
	case <-f.refresh.done:
	case <-time.After(10 * time.Second):
		t.Fatal("no ApplicationSet refresh after the push")
	}
	f.refresh.mu.Lock()
	defer f.refresh.mu.Unlock()
	if len(f.refresh.apps) == 0 || f.refresh.apps[0] != "alpha" {
		t.Fatalf("refreshed %v, want alpha", f.refresh.apps)
	}
}

// TestWebhookFollowUp: a push that adds an app refreshes the ApplicationSets
// again after FollowUp, once Argo CD can have synced the app's AppProject.
func TestWebhookFollowUp(t *testing.T) {
	f := newFixture(t, func(c *server.Config) { c.FollowUp = 50 * time.Millisecond })
	if err := f.store.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	writeApp(t, f.root, "gamma")
	repos, err := source.NewDir(f.root, "", "main").Scan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var gamma int64
	for _, r := range repos {
		if r.Path == "gamma" {
			gamma = r.ID
		}
	}
	if code := f.webhook(t, "hook-secret", "Push Hook", pushEvent(gamma, "refs/heads/main")); code != 202 {
		t.Fatalf("push: %d", code)
	}
	deadline := time.After(10 * time.Second)
	for {
		f.refresh.mu.Lock()
		got := slices.Clone(f.refresh.apps)
		f.refresh.mu.Unlock()
		// The push: the ApplicationSets ("") and gamma; then the follow-up.
		if slices.Equal(got, []string{"", "gamma", ""}) {
			return
		}
		select {
		case <-deadline:
			t.Fatalf("refreshes %q, want the push's and a follow-up", got)
		case <-time.After(20 * time.Millisecond):
		}
	}
}
