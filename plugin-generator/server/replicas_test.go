package server_test

import (
	"context"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vibe-coder-biz/idp/appspec"
	"github.com/vibe-coder-biz/idp/plugin-generator/catalog"
	"github.com/vibe-coder-biz/idp/plugin-generator/peers"
	"github.com/vibe-coder-biz/idp/plugin-generator/server"
	"github.com/vibe-coder-biz/idp/plugin-generator/source"
)

// askingPeer is the ApplicationSet controller's next call after a refresh:
// it records what the other replica answers at that moment.
type askingPeer struct {
	mu      sync.Mutex
	peerURL string
	answers []string
	done    chan struct{}
}

func (a *askingPeer) Refresh(context.Context, string) error {
	req, _ := http.NewRequest(http.MethodPost, a.peerURL+"/api/v1/getparams.execute", strings.NewReader(emptyInput))
	req.Header.Set("Authorization", "Bearer "+token)
	body := ""
	if resp, err := http.DefaultClient.Do(req); err == nil {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		body = string(b)
	}
	a.mu.Lock()
	a.answers = append(a.answers, body)
	a.mu.Unlock()
	select {
	case a.done <- struct{}{}:
	default:
	}
	return nil
}

// TestEveryReplicaAnswersTheWebhooksChange: GitLab's webhook reaches one
// replica of two (a Service picks one); the ApplicationSet controller's
// next call may reach the other. By the time the first replica refreshes
// the ApplicationSets, the other must answer the new app too.
func TestEveryReplicaAnswersTheWebhooksChange(t *testing.T) {
	root := t.TempDir()
	writeApp(t, root, "alpha")
	replica := func(cfg func(*server.Config)) (string, *catalog.Store) {
		store := catalog.NewStore(source.NewDir(root, "https://git.example.com/gitops.git", "main"), appspec.DefaultPlatform())
		if err := store.Refresh(context.Background()); err != nil {
			t.Fatal(err)
		}
		_, tok := secretFile(t, token)
		_, hook := secretFile(t, "hook-secret")
		c := server.Config{Store: store, Token: tok, WebhookSecret: hook, MaxStaleness: time.Hour, FirstScanWait: 50 * time.Millisecond}
		if cfg != nil {
			cfg(&c)
		}
		return startServer(t, c), store
	}
	other, _ := replica(nil)
	asker := &askingPeer{peerURL: other, done: make(chan struct{}, 4)}
	tokPath, _ := secretFile(t, token)
	first, store := replica(func(c *server.Config) {
		c.Refresher = asker
		c.Peers = &peers.Notifier{Peers: peers.Static{other}, TokenFile: tokPath}
	})
	snap, _ := store.Current()
	alphaID := snap.Apps[0].ProjectID

	// A push to alpha's project that changes its owner.
	changed := strings.Replace(appYAMLOf(t, root, "alpha"), "owner: team-a", "owner: team-b", 1)
	if err := os.WriteFile(root+"/alpha/app.yaml", []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
	f := &fixture{url: first}
	if code := f.webhook(t, "hook-secret", "Push Hook", pushEvent(alphaID, "refs/heads/main")); code != 202 {
		t.Fatalf("push: %d", code)
	}
	select {
	case <-asker.done:
	case <-time.After(10 * time.Second):
		t.Fatal("no ApplicationSet refresh after the push")
	}
	asker.mu.Lock()
	defer asker.mu.Unlock()
	if !strings.Contains(asker.answers[0], `"owner":"team-b"`) {
		t.Fatalf("the ApplicationSets were refreshed while the other replica still answered the old app.yaml: %s", asker.answers[0])
	}
}

func appYAMLOf(t *testing.T, root, name string) string {
	t.Helper()
	data, err := os.ReadFile(root + "/" + name + "/app.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
