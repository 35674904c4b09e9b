// Package source finds the projects that may hold an app: a GitLab group
// (subgroups included) or, as the embedded default, a local directory tree.
// A Source returns every candidate or an error, never a partial list: the
// caller's safety rests on that.
package source

import (
	"context"
	"errors"
	"time"
)

// AppFile is the file that makes a project an app.
const AppFile = "app.yaml"

// Project is one repository that may hold an app.
type Project struct {
	ID             int64
	Path           string // the project's own path: the only name it may claim
	FullPath       string // path with namespace, e.g. gitops/team-a/hello-world
	Namespace      string // full path of the group that holds it
	WebURL         string
	RepoURL        string // clone URL, always ending in .git
	AppPath        string // directory of app.yaml inside the repository
	DefaultBranch  string
	CreatedAt      time.Time
	LastActivityAt time.Time
	Topics         []string
}

// Repo is a project and its app.yaml as of one scan.
type Repo struct {
	Project
	AppYAML   []byte    // nil when the default branch has no app.yaml
	CommitSHA string    // head of the default branch when app.yaml was read
	ReadAt    time.Time // when app.yaml was last read
	// ReadError is set when the latest read failed (the project or its
	// branch unreadable, GitLab failing): AppYAML and CommitSHA are then
	// those of the last good read, if any, and Project is as of that read.
	ReadError string
}

// HasApp reports whether the project holds an app.yaml.
func (r Repo) HasApp() bool { return r.AppYAML != nil }

// Source lists candidate projects with their app.yaml.
type Source interface {
	// Scan returns every project of the source, or an error. A project
	// whose app.yaml could not be read is returned with ReadError.
	Scan(ctx context.Context) ([]Repo, error)
	// Rescan re-reads one project after a change notification; ErrGone
	// reports that it no longer exists or left the source.
	Rescan(ctx context.Context, id int64) (Repo, error)
}

// ErrGone reports a project that was deleted, archived or moved away.
var ErrGone = errors.New("project is gone")
