package peers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
)

// RescanPath is the endpoint a replica serves for its peers.
const RescanPath = "/api/v1/peers/rescan"

// RescanRequest is its body: GitLab project ids, -1 for a full rescan.
type RescanRequest struct {
	Projects []int64 `json:"projects"`
}

// Rescan asks every peer to rescan projects and returns once all have
// answered; the errors of those that failed are joined. A peer that fails
// catches up at its next periodic scan.
func (n *Notifier) Rescan(ctx context.Context, projects []int64) error {
	urls, err := n.Peers.Peers(ctx)
	if err != nil {
		return fmt.Errorf("listing peers: %w", err)
	}
	if len(urls) == 0 {
		return nil
	}
	token, err := os.ReadFile(n.TokenFile)
	if err != nil {
		return err
	}
	body, _ := json.Marshal(RescanRequest{Projects: projects})
	errs := make([]error, len(urls))
	var wg sync.WaitGroup
	for i, url := range urls {
		wg.Go(func() { errs[i] = n.post(ctx, url, strings.TrimSpace(string(token)), body) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (n *Notifier) post(ctx context.Context, url, token string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url+RescanPath, bytes.NewReader(body))
	if err != nil {
		return errPeer(url, err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := n.client().Do(req)
	if err != nil {
		return errPeer(url, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		return errPeer(url, fmt.Errorf("answered %s", resp.Status))
	}
	return nil
}
