package source

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"sync"

	gitlab "gitlab.com/gitlab-org/api/client-go"
)

// readResult is what reading one project's app.yaml gave.
type readResult struct {
	repo Repo
	err  error
}

// reader reads app.yaml of many projects. It answers for each project it
// tried; a project it did not reach before ctx ended has no entry.
type reader interface {
	read(ctx context.Context, ps []Project) map[int64]readResult
}

// restReader reads one file per request, a bounded number at a time.
type restReader struct {
	g           *GitLab
	concurrency int
}

// errNotReached marks a read that failed for the caller, not for the
// project: GitLab's rate limit (429), client-go's own limiter, the network.
// The project counts as not reached, and reading more in this scan is
// pointless.
var errNotReached = errors.New("GitLab was not reached")

func (r restReader) read(ctx context.Context, ps []Project) map[int64]readResult {
	ctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	out := make(map[int64]readResult, len(ps))
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, r.concurrency)
	for _, p := range ps {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Go(func() {
			defer func() { <-sem }()
			repo, err := r.g.readFile(ctx, p)
			if errors.Is(err, errNotReached) {
				stop(err)
			}
			if err != nil && ctx.Err() != nil {
				return // not reached: not the project's fault
			}
			mu.Lock()
			out[p.ID] = readResult{repo, err}
			mu.Unlock()
		})
	}
	wg.Wait()
	return out
}

// readFile fetches app.yaml from the default branch: one request gives the
// content and the branch head. A 404 means "no app.yaml" only when the
// branch it was read from is there: GitLab answers 404 too for a project
// the token can no longer read, and that app must not leave the answer.
func (g *GitLab) readFile(ctx context.Context, p Project) (Repo, error) {
	r := Repo{Project: p, ReadAt: g.now()}
	if p.DefaultBranch == "" { // an empty repository
		return r, nil
	}
	f, resp, err := g.client.RepositoryFiles.GetFile(p.ID, AppFile, &gitlab.GetFileOptions{Ref: gitlab.Ptr(p.DefaultBranch)}, gitlab.WithContext(ctx))
	if resp != nil && resp.StatusCode == http.StatusNotFound {
		return r, g.branchExists(ctx, p)
	}
	if err != nil && (resp == nil || resp.StatusCode == http.StatusTooManyRequests) {
		return Repo{}, fmt.Errorf("gitlab: read %s of %s: %w (%w)", AppFile, p.FullPath, errNotReached, err)
	}
	if err != nil {
		return Repo{}, fmt.Errorf("gitlab: read %s of %s: %w", AppFile, p.FullPath, err)
	}
	content, err := base64.StdEncoding.DecodeString(f.Content)
	if err != nil {
		return Repo{}, fmt.Errorf("gitlab: decode %s of %s: %w", AppFile, p.FullPath, err)
	}
	if content == nil {
		content = []byte{}
	}
	r.AppYAML, r.CommitSHA = content, f.CommitID
	return r, nil
}

// branchExists confirms a 404 on app.yaml: client-go drops the body that
// tells "404 File Not Found" from "404 Project Not Found", so ask again.
func (g *GitLab) branchExists(ctx context.Context, p Project) error {
	_, resp, err := g.client.Branches.GetBranch(p.ID, p.DefaultBranch, gitlab.WithContext(ctx))
	if resp != nil && resp.StatusCode == http.StatusNotFound {
		return fmt.Errorf("gitlab: read %s of %s: the project or its branch %s is not readable with this token (404)", AppFile, p.FullPath, p.DefaultBranch)
	}
	if err != nil {
		return fmt.Errorf("gitlab: read %s of %s: %w", AppFile, p.FullPath, err)
	}
	return nil
}
