package catalog_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"pgregory.net/rapid"

	"github.com/vibe-coder-biz/idp/appspec"
	"github.com/vibe-coder-biz/idp/plugin-generator/catalog"
	"github.com/vibe-coder-biz/idp/plugin-generator/source"
)

// scripted is a Source whose next answer the test sets.
type scripted struct {
	repos []source.Repo
	err   error
}

func (s *scripted) Scan(context.Context) ([]source.Repo, error) {
	if s.err != nil {
		return nil, s.err
	}
	return s.repos, nil
}

func (s *scripted) Rescan(_ context.Context, id int64) (source.Repo, error) {
	if s.err != nil {
		return source.Repo{}, s.err
	}
	for _, r := range s.repos {
		if r.ID == id {
			return r, nil
		}
	}
	return source.Repo{}, source.ErrGone
}

// TestStoreOnlyPublishesCompleteScans: through any sequence of successful
// and failed scans and rescans, a failure never changes what Current
// answers, and a failed full scan is reported.
func TestStoreOnlyPublishesCompleteScans(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		src := &scripted{}
		store := catalog.NewStore(src, appspec.DefaultPlatform())
		var before []string
		for i := range rapid.IntRange(1, 20).Draw(t, "steps") {
			fail := rapid.Bool().Draw(t, "fail")
			src.err = nil
			if fail {
				src.err = errors.New("gitlab: 502 Bad Gateway")
			} else {
				src.repos = nil
				for j := range rapid.IntRange(0, 8).Draw(t, "apps") {
					name := fmt.Sprintf("app-%d", j)
					src.repos = append(src.repos, repo(int64(j+1), "gitops", name, t0, appYAML(name)))
				}
			}
			full := !rapid.Bool().Draw(t, "rescan")
			var err error
			if full {
				err = store.Refresh(context.Background())
			} else {
				_, err = store.RefreshProject(context.Background(), int64(rapid.IntRange(1, 8).Draw(t, "id")))
			}
			snap, lastErr := store.Current()
			if fail {
				if err == nil || (full && lastErr == nil) {
					t.Fatalf("step %d: failure not reported", i)
				}
				if snap != nil && fmt.Sprint(names(snap)) != fmt.Sprint(before) {
					t.Fatalf("step %d: a failure changed the answer to %v from %v", i, names(snap), before)
				}
				continue
			}
			if full && (err != nil || snap == nil) {
				t.Fatalf("step %d: successful scan not published: %v", i, err)
			}
			if snap != nil {
				before = names(snap)
			}
		}
	})
}
