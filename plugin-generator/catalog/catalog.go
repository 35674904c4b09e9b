// Package catalog turns a complete scan into the parameter sets Argo CD's
// ApplicationSet receives, one per app. It enforces the rules that keep a
// set valid and safe: a project claims only its own name, the oldest of two
// claimants wins, and an app whose app.yaml broke keeps its last known good
// parameters instead of vanishing.
package catalog

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vibe-coder-biz/idp/appspec"
	"github.com/vibe-coder-biz/idp/plugin-generator/source"
)

// Params is one parameter set, as Argo CD's goTemplate sees it.
type Params map[string]any

// Parameter names; the README documents each.
const (
	ParamName          = "name"
	ParamNamespace     = "namespace"
	ParamProject       = "project"
	ParamRepoURL       = "repoURL"
	ParamRevision      = "targetRevision"
	ParamPath          = "path"
	ParamOwner         = "owner"
	ParamBackstageName = "backstageName"
	ParamProjectID     = "gitlabProjectID"
	ParamProjectPath   = "gitlabProjectPath"
	ParamWebURL        = "webURL"
	ParamCommitSHA     = "commitSHA"
	ParamSubgroup      = "subgroup"
	ParamTopics        = "topics"
	ParamALBGroup      = "albGroup"
)

// App is one app the generator answers with.
type App struct {
	Name      string
	ProjectID int64
	Params    Params
	// Stale is set when the app.yaml on the default branch is broken and
	// these are the last known good parameters.
	Stale bool
}

// Problem is a project the generator refused, for operators and metrics.
type Problem struct {
	ProjectID int64  `json:"projectID"`
	Project   string `json:"project"`
	Reason    string `json:"reason"` // invalid, claim, duplicate
	Message   string `json:"message"`
}

// Problem reasons.
const (
	ReasonInvalid   = "invalid"
	ReasonClaim     = "claim"
	ReasonDuplicate = "duplicate"
	// ReasonUnreadable: GitLab did not let the project's app.yaml be read;
	// the app, if it was known, keeps its last read.
	ReasonUnreadable = "unreadable"
)

// Snapshot is the result of one complete scan.
type Snapshot struct {
	Apps      []App // sorted by name, names unique
	Problems  []Problem
	ScannedAt time.Time

	cache answers
}

// Build derives a snapshot from a complete scan. prev, the last snapshot,
// supplies last known good parameters; it may be nil.
func Build(repos []source.Repo, prev *Snapshot, p appspec.Platform, now time.Time) *Snapshot {
	lastGood := map[int64]App{}
	if prev != nil {
		for _, a := range prev.Apps {
			lastGood[a.ProjectID] = a
		}
	}
	s := &Snapshot{ScannedAt: now}
	var candidates []candidate
	for _, r := range repos {
		if r.ReadError != "" {
			s.Problems = append(s.Problems, problemOf(r, ReasonUnreadable, errors.New(r.ReadError)))
		}
		if !r.HasApp() {
			continue // not an app, or its app.yaml was deleted: the app is gone
		}
		app, reason, err := parse(r, p)
		if err != nil {
			s.Problems = append(s.Problems, problemOf(r, reason, err))
			good, ok := lastGood[r.ID]
			if !ok {
				continue
			}
			good.Stale = true
			app = good
		}
		app.Stale = app.Stale || r.ReadError != ""
		candidates = append(candidates, candidate{app: app, repo: r})
	}
	s.Apps, s.Problems = resolveClaims(candidates, s.Problems)
	slices.SortFunc(s.Problems, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.Project, b.Project), cmp.Compare(a.ProjectID, b.ProjectID), cmp.Compare(a.Reason, b.Reason))
	})
	return s
}

type candidate struct {
	app  App
	repo source.Repo
}

// resolveClaims keeps one app per name: the oldest project's, ties broken
// by the lower id, so the answer never depends on listing order.
func resolveClaims(cs []candidate, problems []Problem) ([]App, []Problem) {
	slices.SortFunc(cs, func(a, b candidate) int {
		return cmp.Or(
			cmp.Compare(a.app.Name, b.app.Name),
			a.repo.CreatedAt.Compare(b.repo.CreatedAt),
			cmp.Compare(a.repo.ID, b.repo.ID),
		)
	})
	var apps []App
	for i, c := range cs {
		if i > 0 && cs[i-1].app.Name == c.app.Name {
			winner := apps[len(apps)-1]
			problems = append(problems, problemOf(c.repo, ReasonDuplicate,
				fmt.Errorf("app name %q is already claimed by the older project %s; rename this project", c.app.Name, winner.Params[ParamProjectPath])))
			continue
		}
		apps = append(apps, c.app)
	}
	return apps, problems
}

// parse validates the app.yaml and checks that it claims only the
// project's own name.
func parse(r source.Repo, p appspec.Platform) (App, string, error) {
	file := r.FullPath + "/" + source.AppFile
	a, err := appspec.Load(file, r.AppYAML, p)
	if err != nil {
		return App{}, ReasonInvalid, err
	}
	if a.Metadata.Name != r.Path {
		return App{}, ReasonClaim, fmt.Errorf("%s: metadata.name: Forbidden: %q is not this project's name %q; a project may only claim its own name", file, a.Metadata.Name, r.Path)
	}
	return App{Name: a.Metadata.Name, ProjectID: r.ID, Params: params(a, r, p)}, "", nil
}

func params(a *appspec.App, r source.Repo, p appspec.Platform) Params {
	group := ""
	if *a.Spec.Ingress.Enabled {
		group = p.AppALBs.GroupOf(a.Metadata.Name)
	}
	return Params{
		ParamALBGroup:      group,
		ParamName:          a.Metadata.Name,
		ParamNamespace:     a.Metadata.Name,
		ParamProject:       a.Metadata.Name,
		ParamRepoURL:       r.RepoURL,
		ParamRevision:      r.DefaultBranch,
		ParamPath:          r.AppPath,
		ParamOwner:         a.Spec.Owner,
		ParamBackstageName: a.Metadata.Name,
		ParamProjectID:     strconv.FormatInt(r.ID, 10),
		ParamProjectPath:   r.FullPath,
		ParamWebURL:        r.WebURL,
		ParamCommitSHA:     r.CommitSHA,
		ParamSubgroup:      r.Namespace,
		ParamTopics:        strings.Join(r.Topics, ","),
	}
}

func problemOf(r source.Repo, reason string, err error) Problem {
	return Problem{ProjectID: r.ID, Project: r.FullPath, Reason: reason, Message: err.Error()}
}

// AppByProject returns the app a project holds in this snapshot.
func (s *Snapshot) AppByProject(id int64) (App, bool) {
	for _, a := range s.Apps {
		if a.ProjectID == id {
			return a, true
		}
	}
	return App{}, false
}
