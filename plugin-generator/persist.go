package main

import (
	"context"
	"log/slog"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/vibe-coder-biz/idp/plugin-generator/catalog"
	"github.com/vibe-coder-biz/idp/plugin-generator/snapshot"
	"github.com/vibe-coder-biz/idp/plugin-generator/source"
)

// persistence keeps the last complete scan in a ConfigMap that every
// replica shares, so a restarted generator answers at once, GitLab up or
// not, and reads only what changed since.
type persistence struct {
	store *snapshot.ConfigMapStore
	log   *slog.Logger
	saves chan snapshot.State
}

func newPersistence(o options, cfg *rest.Config, log *slog.Logger) (*persistence, error) {
	if o.snapshotConfigMap == "" || cfg == nil {
		return nil, nil
	}
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	return &persistence{
		store: &snapshot.ConfigMapStore{Client: client, Namespace: o.argocdNamespace, Name: o.snapshotConfigMap},
		log:   log,
		saves: make(chan snapshot.State, 1),
	}, nil
}

// restore publishes the persisted scan, if there is one; a missing or
// unreadable one only means the first answer waits for a full scan.
func (p *persistence) restore(ctx context.Context, store *catalog.Store) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	s, err := p.store.Load(ctx)
	switch {
	case err != nil:
		p.log.Warn("persisted scan not used; the first answer waits for a full scan", "err", err)
	case s == nil:
		p.log.Info("no persisted scan yet; the first answer waits for a full scan")
	default:
		store.Restore(s.Repos, s.ScannedAt)
		p.log.Info("answering from the persisted scan while rescanning", "scannedAt", s.ScannedAt, "apps", s.Apps(), "projects", len(s.Repos))
	}
}

// offer queues a scan for saving; only the latest waiting one is kept, so
// a slow API server never holds a scan back.
func (p *persistence) offer(snap *catalog.Snapshot, repos []source.Repo) {
	s := snapshot.State{ScannedAt: snap.ScannedAt, PublishedAt: time.Now(), Repos: repos}
	for {
		select {
		case p.saves <- s:
			return
		default:
		}
		select {
		case <-p.saves:
		default:
		}
	}
}

// run saves what offer queued until ctx ends, and then what is still
// queued, so a pod stopped by a rolling update leaves its last answer.
func (p *persistence) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			select {
			case s := <-p.saves:
				p.save(context.Background(), s, 5*time.Second)
			default:
			}
			return
		case s := <-p.saves:
			p.save(ctx, s, 30*time.Second)
		}
	}
}

func (p *persistence) save(ctx context.Context, s snapshot.State, limit time.Duration) {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	if err := p.store.Save(ctx, s); err != nil {
		p.log.Error("could not persist the answer; a restart waits for a full scan or answers an older one", "err", err)
	}
}
