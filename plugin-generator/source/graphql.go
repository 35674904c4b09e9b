package source

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"

	gitlab "gitlab.com/gitlab-org/api/client-go"
)

// blobsQuery reads app.yaml and the head commit of many projects in one
// request. GitLab charges a connection by its page size, not its nodes
// (Types::BaseField: 1 + first/100), so a page of 100 projects costs 64
// of the 250 an authenticated query may spend.
const blobsQuery = `query($ids: [ID!], $first: Int) {
  projects(ids: $ids, first: $first) {
    nodes {
      id
      repository {
        rootRef
        blobs(paths: ["` + AppFile + `"]) { nodes { rawBlob } }
        tree { lastCommit { sha } }
      }
    }
  }
}`

// maxBatch is GitLab's largest page (default_max_page_size).
const maxBatch = 100

type blobsResponse struct {
	Data struct {
		Projects struct {
			Nodes []struct {
				ID         string `json:"id"`
				Repository *struct {
					RootRef *string `json:"rootRef"`
					Blobs   struct {
						Nodes []struct {
							RawBlob *string `json:"rawBlob"`
						} `json:"nodes"`
					} `json:"blobs"`
					Tree *struct {
						LastCommit *struct {
							SHA string `json:"sha"`
						} `json:"lastCommit"`
					} `json:"tree"`
				} `json:"repository"`
			} `json:"nodes"`
		} `json:"projects"`
	} `json:"data"`
	Errors []struct {
		Message string `json:"message"`
	} `json:"errors"`
}

// graphqlReader reads app.yaml in batches through GitLab's GraphQL API:
// a cold scan of 10,000 projects costs 100 requests instead of 10,000.
// What a batch cannot answer (GraphQL refused or failed, a project it did
// not return) is read through REST, one file per request, so one bad
// project still fails alone.
type graphqlReader struct {
	g    *GitLab
	rest reader

	mu    sync.Mutex
	batch int // shrinks when GitLab refuses a query's size
}

func (r *graphqlReader) read(ctx context.Context, ps []Project) map[int64]readResult {
	out := make(map[int64]readResult, len(ps))
	var retry []Project
	for len(ps) > 0 && ctx.Err() == nil {
		n := min(r.size(), len(ps))
		got, err := r.readBatch(ctx, ps[:n])
		switch {
		case errors.Is(err, errNotReached):
			return out // throttled or unreachable: the rest waits for the next scan
		case errors.Is(err, errRefused) && n > 1 && r.shrink(n):
			continue // the same projects again, in a smaller batch
		case err != nil:
			retry = append(retry, ps[:n]...)
		default:
			for _, p := range ps[:n] {
				if res, ok := got[p.ID]; ok {
					out[p.ID] = res
				} else {
					retry = append(retry, p) // not in the answer: REST tells why
				}
			}
		}
		ps = ps[n:]
	}
	if len(retry) > 0 && ctx.Err() == nil {
		for id, res := range r.rest.read(ctx, retry) {
			out[id] = res
		}
	}
	return out
}

// errRefused is GitLab declining the query itself (its complexity, its
// size): a smaller batch may pass.
var errRefused = errors.New("GitLab refused the query")

func (r *graphqlReader) size() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.batch
}

// shrink halves the batch after a refused query; it reports whether there
// is a smaller size left to try.
func (r *graphqlReader) shrink(from int) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.batch = max(1, min(r.batch, from/2))
	return r.batch < from
}

// readBatch asks for up to maxBatch projects. An error means the batch as
// a whole has no answer; a project missing from the answer is left out.
func (r *graphqlReader) readBatch(ctx context.Context, ps []Project) (map[int64]readResult, error) {
	ids := make([]string, len(ps))
	byID := make(map[string]Project, len(ps))
	for i, p := range ps {
		ids[i] = "gid://gitlab/Project/" + strconv.FormatInt(p.ID, 10)
		byID[ids[i]] = p
	}
	var resp blobsResponse
	hr, err := r.g.client.GraphQL.Do(gitlab.GraphQLQuery{Query: blobsQuery, Variables: map[string]any{"ids": ids, "first": len(ids)}}, &resp, gitlab.WithContext(ctx))
	if err != nil && (hr == nil || hr.StatusCode == http.StatusTooManyRequests) {
		return nil, fmt.Errorf("gitlab: GraphQL: %w (%w)", errNotReached, err)
	}
	if hr != nil && hr.StatusCode == http.StatusUnprocessableEntity {
		return nil, fmt.Errorf("gitlab: GraphQL: %w: %w", errRefused, err)
	}
	if err != nil {
		return nil, fmt.Errorf("gitlab: GraphQL: %w", err)
	}
	if len(resp.Errors) > 0 && len(resp.Data.Projects.Nodes) == 0 {
		return nil, fmt.Errorf("gitlab: GraphQL: %w: %s", errRefused, resp.Errors[0].Message)
	}
	now := r.g.now()
	out := make(map[int64]readResult, len(ps))
	for _, node := range resp.Data.Projects.Nodes {
		p, ok := byID[node.ID]
		if !ok || node.Repository == nil || len(resp.Errors) > 0 {
			continue // partial answers are read again through REST
		}
		repo := Repo{Project: p, ReadAt: now}
		if p.DefaultBranch == "" { // an empty repository: no app
			out[p.ID] = readResult{repo: repo}
			continue
		}
		if rootRef := node.Repository.RootRef; rootRef == nil || *rootRef != p.DefaultBranch {
			continue // empty, or its default branch moved since the listing: REST decides
		}
		if blobs := node.Repository.Blobs.Nodes; len(blobs) > 0 {
			if blobs[0].RawBlob == nil || node.Repository.Tree == nil || node.Repository.Tree.LastCommit == nil {
				continue
			}
			repo.AppYAML = []byte(*blobs[0].RawBlob)
			repo.CommitSHA = node.Repository.Tree.LastCommit.SHA
		}
		out[p.ID] = readResult{repo: repo}
	}
	return out, nil
}
