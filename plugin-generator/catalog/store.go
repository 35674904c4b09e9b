package catalog

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/vibe-coder-biz/idp/appspec"
	"github.com/vibe-coder-biz/idp/plugin-generator/source"
)

// Store keeps the last complete snapshot and replaces it only with another
// complete one: a failed or partial scan leaves it as it was. Reads never
// wait for a scan.
type Store struct {
	src      source.Source
	platform appspec.Platform
	now      func() time.Time
	// OnScan, if set, observes every full scan (for metrics and logs).
	OnScan func(d time.Duration, s *Snapshot, err error)
	// OnPublish, if set, receives every snapshot a scan or a rescan
	// publishes and the repos it was built from (to persist them); it must
	// not block.
	OnPublish func(s *Snapshot, repos []source.Repo)

	scanMu sync.Mutex // one scan at a time

	mu      sync.RWMutex
	snap    *Snapshot
	repos   []source.Repo // the scan snap was built from
	lastErr error
	ready   chan struct{}
}

// NewStore returns an empty store; Ready closes after the first complete
// scan.
func NewStore(src source.Source, p appspec.Platform) *Store {
	return &Store{src: src, platform: p, now: time.Now, ready: make(chan struct{})}
}

// Ready is closed once a complete scan has succeeded.
func (s *Store) Ready() <-chan struct{} { return s.ready }

// Current returns the last complete snapshot and the error of the latest
// scan, if it failed. The snapshot is nil before the first complete scan.
func (s *Store) Current() (*Snapshot, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.snap, s.lastErr
}

// Refresh runs a full scan and, only if it completes, publishes it.
func (s *Store) Refresh(ctx context.Context) error {
	s.scanMu.Lock()
	defer s.scanMu.Unlock()
	start := s.now()
	repos, err := s.src.Scan(ctx)
	prev, _ := s.Current()
	if err == nil && prev == nil {
		err = neverRead(repos)
	}
	var snap *Snapshot
	if err == nil {
		snap = Build(repos, prev, s.platform, s.now())
		s.publish(snap, repos)
		s.notify(snap, repos)
	}
	s.mu.Lock()
	s.lastErr = err
	s.mu.Unlock()
	if s.OnScan != nil {
		s.OnScan(s.now().Sub(start), snap, err)
	}
	return err
}

// Restore publishes a scan persisted by an earlier process, so a restarted
// generator answers at once, and hands it to the source if the source can
// take it, so the next scan reads only what changed since.
func (s *Store) Restore(repos []source.Repo, scannedAt time.Time) {
	s.scanMu.Lock()
	defer s.scanMu.Unlock()
	if seeder, ok := s.src.(interface{ Seed([]source.Repo) }); ok {
		seeder.Seed(repos)
	}
	s.publish(Build(repos, nil, s.platform, scannedAt), repos)
}

// neverRead refuses a first answer while some project was never read: with
// nothing published yet there is no last read to stand in for it, and a
// shorter first answer would prune the Applications a restarted generator
// without a persisted scan finds in Argo CD.
func neverRead(repos []source.Repo) error {
	var names []string
	for _, r := range repos {
		if r.ReadError != "" && !r.HasApp() {
			names = append(names, r.FullPath)
		}
	}
	if len(names) == 0 {
		return nil
	}
	return fmt.Errorf("no answer until every project has been read once; %d could not be read (%s): %s", len(names), strings.Join(names[:min(5, len(names))], ", "), firstError(repos))
}

func firstError(repos []source.Repo) string {
	for _, r := range repos {
		if r.ReadError != "" {
			return r.ReadError
		}
	}
	return ""
}

// RefreshProject re-reads one project after a webhook and republishes the
// snapshot with it. It reports whether that project's app changed.
func (s *Store) RefreshProject(ctx context.Context, id int64) (bool, error) {
	s.scanMu.Lock()
	defer s.scanMu.Unlock()
	s.mu.RLock()
	prev, repos := s.snap, s.repos
	s.mu.RUnlock()
	if prev == nil {
		return false, errors.New("no complete scan yet")
	}
	r, err := s.src.Rescan(ctx, id)
	gone := errors.Is(err, source.ErrGone)
	if err != nil && !gone {
		return false, fmt.Errorf("rescan project %d: %w", id, err)
	}
	next := slices.DeleteFunc(slices.Clone(repos), func(x source.Repo) bool { return x.ID == id })
	if !gone {
		next = append(next, r)
	}
	snap := Build(next, prev, s.platform, prev.ScannedAt)
	s.publish(snap, next)
	changed := !sameApp(prev, snap, id)
	if changed || gone {
		s.notify(snap, next)
	}
	return changed, nil
}

func (s *Store) notify(snap *Snapshot, repos []source.Repo) {
	if s.OnPublish != nil {
		s.OnPublish(snap, repos)
	}
}

func (s *Store) publish(snap *Snapshot, repos []source.Repo) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.snap, s.repos = snap, repos
	select {
	case <-s.ready:
	default:
		close(s.ready)
	}
}

// Run refreshes every interval until ctx ends. Failures are kept for
// Current and OnScan; the loop goes on.
func (s *Store) Run(ctx context.Context, interval, timeout time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		scanCtx, cancel := context.WithTimeout(ctx, timeout)
		_ = s.Refresh(scanCtx)
		cancel()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func sameApp(a, b *Snapshot, id int64) bool {
	x, okx := a.AppByProject(id)
	y, oky := b.AppByProject(id)
	return okx == oky && maps.Equal(x.Params, y.Params)
}
