package server

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/vibe-coder-biz/idp/plugin-generator/catalog"
	"github.com/vibe-coder-biz/idp/plugin-generator/peers"
)

// maxWebhookBytes bounds a webhook body; GitLab caps push payloads near
// 25 MB only for huge pushes, and those carry nothing we read.
const maxWebhookBytes = 4 << 20

// fullRescan is queued for events that can add or remove projects.
const fullRescan int64 = -1

// gitlabWebhook accepts a GitLab group webhook and answers at once; the
// rescan and the ApplicationSet refresh happen in the background, since
// GitLab disables hooks that answer slowly.
func (s *Server) gitlabWebhook(w http.ResponseWriter, r *http.Request) {
	if s.cfg.WebhookSecret == nil {
		http.Error(w, "webhooks are not configured", http.StatusNotFound)
		return
	}
	if !s.cfg.WebhookSecret.Equal(r.Header.Get("X-Gitlab-Token")) {
		http.Error(w, "missing or wrong X-Gitlab-Token", http.StatusUnauthorized)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxWebhookBytes+1))
	if err != nil || len(body) > maxWebhookBytes {
		http.Error(w, "webhook body too large or unreadable", http.StatusRequestEntityTooLarge)
		return
	}
	id, err := projectOf(gitlab.HookEventType(r), body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if id == 0 {
		w.WriteHeader(http.StatusNoContent) // an event that changes no app
		return
	}
	s.webhook.enqueue(id)
	w.WriteHeader(http.StatusAccepted)
}

// projectOf says which project an event touches: 0 for none, fullRescan for
// events that may add, move or remove projects.
func projectOf(typ gitlab.EventType, body []byte) (int64, error) {
	ev, err := gitlab.ParseWebhook(typ, body)
	if err != nil {
		return 0, err
	}
	switch e := ev.(type) {
	case *gitlab.PushEvent:
		if e.ProjectID <= 0 {
			return 0, errors.New("push event without project_id")
		}
		if e.Project.DefaultBranch != "" && e.Ref != "refs/heads/"+e.Project.DefaultBranch {
			return 0, nil // apps deploy from the default branch only
		}
		return e.ProjectID, nil
	case *gitlab.ProjectWebhookEvent, *gitlab.SubGroupEvent, *gitlab.ProjectSystemEvent, *gitlab.GroupSystemEvent:
		return fullRescan, nil // a project or group created, moved, renamed or removed
	default:
		return 0, nil // issues, merge requests, pipelines…: no app changes
	}
}

// webhookQueue coalesces bursts: a project queued twice is rescanned once.
type webhookQueue struct {
	cfg     Config
	pending chan int64
}

func newWebhookQueue(cfg Config) *webhookQueue {
	return &webhookQueue{cfg: cfg, pending: make(chan int64, 1024)}
}

func (q *webhookQueue) enqueue(id int64) {
	select {
	case q.pending <- id:
	default:
		// Full: the periodic scan will pick the change up.
		q.cfg.Log.Warn("webhook queue full; change left to the next scan", "project", id)
	}
}

func (q *webhookQueue) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case id := <-q.pending:
			batch := map[int64]bool{id: true}
			for drained := false; !drained; {
				select {
				case more := <-q.pending:
					batch[more] = true
				default:
					drained = true
				}
			}
			q.process(ctx, batch)
		}
	}
}

func (q *webhookQueue) process(ctx context.Context, batch map[int64]bool) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	apps, added, ok := q.rescan(ctx, batch)
	if !ok {
		return
	}
	if q.cfg.Peers != nil {
		// Argo CD's next call may reach any replica: all must have the change
		// before the ApplicationSets are refreshed.
		if err := q.cfg.Peers.Rescan(ctx, projects(batch)); err != nil {
			q.cfg.Log.Warn("a peer did not rescan; it catches up at its next scan", "err", err)
		}
	}
	if q.cfg.Refresher == nil {
		return
	}
	if added && q.cfg.FollowUp > 0 {
		time.AfterFunc(q.cfg.FollowUp, func() { q.refresh(context.Background(), []string{""}) })
	}
	q.refresh(ctx, apps)
}

// rescan reads the batch's projects again (all of them for fullRescan) and
// names the apps whose Applications need a refresh; added reports a new
// app, ok false a failed full rescan.
func (q *webhookQueue) rescan(ctx context.Context, batch map[int64]bool) (apps []string, added, ok bool) {
	store := q.cfg.Store
	if batch[fullRescan] {
		if err := store.Refresh(ctx); err != nil {
			q.cfg.Log.Error("webhook rescan failed", "err", err)
			return nil, false, false
		}
		return []string{""}, false, true
	}
	for id := range batch {
		before := appOf(store, id)
		if _, err := store.RefreshProject(ctx, id); err != nil {
			q.cfg.Log.Error("webhook project rescan failed", "project", id, "err", err)
			continue
		}
		// A renamed or removed app needs its old Application refreshed too.
		apps = append(apps, before)
		if after := appOf(store, id); after != before {
			apps = append(apps, after)
			added = added || before == ""
		}
	}
	return apps, added, true
}

func projects(batch map[int64]bool) []int64 {
	out := make([]int64, 0, len(batch))
	for id := range batch {
		out = append(out, id)
	}
	return out
}

// peerRescan is what another replica asks after a webhook: rescan the
// projects now and answer when done. Argo CD's token authenticates it, as
// every replica holds it.
func (s *Server) peerRescan(w http.ResponseWriter, r *http.Request) {
	if !s.cfg.Token.Equal(bearer(r)) {
		http.Error(w, "missing or wrong bearer token", http.StatusUnauthorized)
		return
	}
	var req peers.RescanRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, maxWebhookBytes)).Decode(&req); err != nil || len(req.Projects) == 0 {
		http.Error(w, "want {\"projects\": [ids]}", http.StatusBadRequest)
		return
	}
	batch := map[int64]bool{}
	for _, id := range req.Projects {
		if id != fullRescan && id <= 0 {
			http.Error(w, "project ids are positive, or -1 for all", http.StatusBadRequest)
			return
		}
		batch[id] = true
	}
	ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
	defer cancel()
	if _, _, ok := s.webhook.rescan(ctx, batch); !ok {
		http.Error(w, "rescan failed", http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (q *webhookQueue) refresh(ctx context.Context, apps []string) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for _, app := range apps {
		err := q.cfg.Refresher.Refresh(ctx, app)
		result := "ok"
		if err != nil {
			result = "error"
			q.cfg.Log.Error("ApplicationSet refresh failed", "app", app, "err", err)
		}
		if q.cfg.Metrics != nil {
			q.cfg.Metrics.Refreshes.WithLabelValues(result).Inc()
		}
	}
}

// appOf names the app a project holds in the current snapshot, or "".
func appOf(store *catalog.Store, id int64) string {
	snap, _ := store.Current()
	if snap == nil {
		return ""
	}
	if a, ok := snap.AppByProject(id); ok {
		return a.Name
	}
	return ""
}
