package snapshot

import (
	"encoding/json"
	"errors"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/vibe-coder-biz/idp/plugin-generator/source"
)

// wireRepo is a source.Repo as stored, named explicitly so that the stored
// form changes only with Version, not with every change of source.Repo.
type wireRepo struct {
	ID             int64     `json:"id"`
	Path           string    `json:"path"`
	FullPath       string    `json:"fullPath"`
	Namespace      string    `json:"namespace"`
	WebURL         string    `json:"webURL"`
	RepoURL        string    `json:"repoURL"`
	AppPath        string    `json:"appPath"`
	DefaultBranch  string    `json:"defaultBranch"`
	CreatedAt      time.Time `json:"createdAt"`
	LastActivityAt time.Time `json:"lastActivityAt"`
	Topics         []string  `json:"topics"` // null and [] both survive
	// AppYAML is text, which compresses far better than base64; a file
	// that is not UTF-8 goes to AppYAMLBytes instead. Both absent means no
	// app.yaml, "" an empty one.
	AppYAML      *string   `json:"appYAML,omitempty"`
	AppYAMLBytes []byte    `json:"appYAMLBytes,omitempty"`
	CommitSHA    string    `json:"commitSHA"`
	ReadAt       time.Time `json:"readAt"`
	ReadError    string    `json:"readError,omitempty"`
}

var errNotUTF8 = errors.New("a string is not UTF-8")

func toWire(r source.Repo) (wireRepo, error) {
	p := r.Project
	w := wireRepo{
		ID: p.ID, Path: p.Path, FullPath: p.FullPath, Namespace: p.Namespace,
		WebURL: p.WebURL, RepoURL: p.RepoURL, AppPath: p.AppPath, DefaultBranch: p.DefaultBranch,
		CreatedAt: p.CreatedAt, LastActivityAt: p.LastActivityAt, Topics: p.Topics,
		CommitSHA: r.CommitSHA, ReadAt: r.ReadAt, ReadError: r.ReadError,
	}
	for _, s := range append([]string{p.Path, p.FullPath, p.Namespace, p.WebURL, p.RepoURL, p.AppPath, p.DefaultBranch, r.CommitSHA, r.ReadError}, p.Topics...) {
		if !utf8.ValidString(s) {
			return w, errNotUTF8
		}
	}
	switch {
	case r.AppYAML == nil:
	case utf8.Valid(r.AppYAML):
		s := string(r.AppYAML)
		w.AppYAML = &s
	default:
		w.AppYAMLBytes = r.AppYAML
	}
	return w, nil
}

func (w wireRepo) repo() (source.Repo, error) {
	r := source.Repo{
		Project: source.Project{
			ID: w.ID, Path: w.Path, FullPath: w.FullPath, Namespace: w.Namespace,
			WebURL: w.WebURL, RepoURL: w.RepoURL, AppPath: w.AppPath, DefaultBranch: w.DefaultBranch,
			CreatedAt: w.CreatedAt, LastActivityAt: w.LastActivityAt, Topics: w.Topics,
		},
		CommitSHA: w.CommitSHA, ReadAt: w.ReadAt, ReadError: w.ReadError,
	}
	switch {
	case w.AppYAML != nil && w.AppYAMLBytes != nil:
		return r, errors.New("app.yaml stored twice")
	case w.AppYAML != nil:
		r.AppYAML = []byte(*w.AppYAML)
	case w.AppYAMLBytes != nil:
		r.AppYAML = w.AppYAMLBytes
	}
	return r, nil
}

// content is what a restarted generator would answer from: the repos as
// JSON without ReadAt. Revalidation moves ReadAt every scan, and a stale
// one only brings a re-read forward, so it alone is not worth a write.
func content(w []wireRepo) ([]byte, error) {
	w = slices.Clone(w)
	for i := range w {
		w[i].ReadAt = time.Time{}
	}
	return json.Marshal(w)
}
