package catalog_test

import (
	"context"
	"strings"
	"testing"

	"github.com/vibe-coder-biz/idp/appspec"
	"github.com/vibe-coder-biz/idp/plugin-generator/catalog"
	"github.com/vibe-coder-biz/idp/plugin-generator/source"
)

// TestUnreadableProjectKeepsItsApp: a project GitLab would not let be read
// keeps the app of its last read, marked stale, and is reported.
func TestUnreadableProjectKeepsItsApp(t *testing.T) {
	r := repo(1, "gitops", "alpha", t0, appYAML("alpha"))
	r.ReadError = "gitlab: read app.yaml of gitops/alpha: 503 Service Unavailable"
	never := source.Repo{Project: source.Project{ID: 2, Path: "beta", FullPath: "gitops/beta"}, ReadError: "gitlab: 403 Forbidden"}
	s := catalog.Build([]source.Repo{r, never}, nil, appspec.DefaultPlatform(), t0)
	if len(s.Apps) != 1 || s.Apps[0].Name != "alpha" || !s.Apps[0].Stale {
		t.Fatalf("apps = %+v", s.Apps)
	}
	if len(s.Problems) != 2 || s.Problems[0].Reason != catalog.ReasonUnreadable || !strings.Contains(s.Problems[0].Message, "503") {
		t.Fatalf("problems = %+v", s.Problems)
	}
}

// TestFirstAnswerWaitsForEveryProject: with nothing published, a scan in
// which some project was never read is not an answer; once published, the
// same scan is, with the project reported.
func TestFirstAnswerWaitsForEveryProject(t *testing.T) {
	never := source.Repo{Project: source.Project{ID: 2, Path: "beta", FullPath: "gitops/beta"}, ReadError: "gitlab: 403 Forbidden"}
	src := &scripted{repos: []source.Repo{repo(1, "gitops", "alpha", t0, appYAML("alpha")), never}}
	store := catalog.NewStore(src, appspec.DefaultPlatform())
	err := store.Refresh(context.Background())
	if err == nil || !strings.Contains(err.Error(), "gitops/beta") {
		t.Fatalf("first scan: %v", err)
	}
	if snap, _ := store.Current(); snap != nil {
		t.Fatal("a first scan with an unread project was published")
	}
	store.Restore([]source.Repo{repo(1, "gitops", "alpha", t0, appYAML("alpha"))}, t0)
	if snap, _ := store.Current(); snap == nil || len(snap.Apps) != 1 || !snap.ScannedAt.Equal(t0) {
		t.Fatalf("restored: %+v", snap)
	}
	select {
	case <-store.Ready():
	default:
		t.Fatal("a restored store is not ready")
	}
	if err := store.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	snap, _ := store.Current()
	if len(snap.Apps) != 1 || len(snap.Problems) != 1 || snap.Problems[0].Reason != catalog.ReasonUnreadable {
		t.Fatalf("after restore: %+v", snap)
	}
}

// TestRestoreSeedsTheSource: the source learns what the persisted scan
// read, so it does not read it again.
func TestRestoreSeedsTheSource(t *testing.T) {
	src := &seeded{}
	store := catalog.NewStore(src, appspec.DefaultPlatform())
	store.Restore([]source.Repo{repo(1, "gitops", "alpha", t0, appYAML("alpha"))}, t0)
	if len(src.seed) != 1 {
		t.Fatalf("seeded with %v", src.seed)
	}
}

type seeded struct {
	scripted
	seed []source.Repo
}

func (s *seeded) Seed(repos []source.Repo) { s.seed = repos }

// TestALBGroupParameter: each app's parameters name the ALB group its
// Ingress joins, as cmp renders it, so operators can watch a group fill.
func TestALBGroupParameter(t *testing.T) {
	p := appspec.DefaultPlatform()
	s := catalog.Build([]source.Repo{repo(1, "gitops", "alpha", t0, appYAML("alpha"))}, nil, p, t0)
	if got, want := s.Apps[0].Params[catalog.ParamALBGroup], p.AppALBs.GroupOf("alpha"); got != want || want == "" {
		t.Fatalf("albGroup = %v, want %s", got, want)
	}
}
