package catalog

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
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
	var snap *Snapshot
	if err == nil {
		prev, _ := s.Current()
		snap = Build(repos, prev, s.platform, s.now())
		s.publish(snap, repos)
	}
	s.mu.Lock()
	s.lastErr = err
	s.mu.Unlock()
	if s.OnScan != nil {
		s.OnScan(s.now().Sub(start), snap, err)
	}
	return err
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
	return !sameApp(prev, snap, id), nil
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
