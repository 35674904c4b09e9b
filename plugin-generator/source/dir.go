package source

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"

	"github.com/vibe-coder-biz/idp/appspec"
)

// Dir is a Source over a local tree: each directory holding an app.yaml is a
// project named after the directory. It is the embedded default, so the
// generator runs with no GitLab at all.
type Dir struct {
	Root    string
	RepoURL string // repository the tree is served from, e.g. a local git URL
	Branch  string
}

// NewDir returns a Source over root. Without a repoURL the apps point at
// the tree itself (file://), which is enough to inspect the answers.
func NewDir(root, repoURL, branch string) *Dir {
	if branch == "" {
		branch = "main"
	}
	if repoURL == "" {
		abs, _ := filepath.Abs(root)
		return &Dir{Root: root, RepoURL: "file://" + filepath.ToSlash(abs), Branch: branch}
	}
	return &Dir{Root: root, RepoURL: gitURL(repoURL), Branch: branch}
}

// Scan walks the tree. An unreadable directory fails the scan.
func (d *Dir) Scan(ctx context.Context) ([]Repo, error) {
	var repos []Repo
	err := filepath.WalkDir(d.Root, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if e.IsDir() || e.Name() != AppFile {
			return nil
		}
		r, err := d.read(filepath.Dir(p))
		if err != nil {
			return err
		}
		repos = append(repos, r)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("dir source %s: %w", d.Root, err)
	}
	sort.Slice(repos, func(i, j int) bool { return repos[i].FullPath < repos[j].FullPath })
	return repos, nil
}

// Rescan re-reads the project whose id Scan assigned.
func (d *Dir) Rescan(ctx context.Context, id int64) (Repo, error) {
	repos, err := d.Scan(ctx)
	if err != nil {
		return Repo{}, err
	}
	for _, r := range repos {
		if r.ID == id {
			return r, nil
		}
	}
	return Repo{}, ErrGone
}

func (d *Dir) read(dir string) (Repo, error) {
	rel, err := filepath.Rel(d.Root, dir)
	if err != nil {
		return Repo{}, err
	}
	rel = filepath.ToSlash(rel)
	f, err := os.Open(filepath.Join(dir, AppFile))
	if err != nil {
		return Repo{}, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, appspec.MaxFileBytes+1))
	if err != nil {
		return Repo{}, err
	}
	if data == nil {
		data = []byte{}
	}
	sum := sha1.Sum(data)
	ns := path.Dir(rel)
	if ns == "." {
		ns = ""
	}
	return Repo{
		Project: Project{
			ID:            stableID(rel),
			Path:          path.Base(rel),
			FullPath:      rel,
			Namespace:     ns,
			WebURL:        "file://" + filepath.ToSlash(dir),
			RepoURL:       d.RepoURL,
			AppPath:       rel,
			DefaultBranch: d.Branch,
		},
		AppYAML:   data,
		CommitSHA: hex.EncodeToString(sum[:]),
	}, nil
}

// stableID derives a project id from the path, so ids survive restarts.
func stableID(rel string) int64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(rel))
	return int64(h.Sum64() >> 1)
}
