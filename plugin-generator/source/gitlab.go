package source

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	gitlab "gitlab.com/gitlab-org/api/client-go"
	"golang.org/x/sync/errgroup"
)

// GitLabOptions configures a GitLab group source.
type GitLabOptions struct {
	BaseURL         string // e.g. https://gitlab.com
	Token           string
	Group           string // full path or numeric id of the GitOps group
	IncludeArchived bool
	IncludeShared   bool
	// Concurrency bounds parallel file reads so a cold scan stays inside
	// GitLab's per-user request limits.
	Concurrency int
	// RevalidateEvery forces a full re-read of app.yaml files every n-th
	// scan, in case GitLab throttled a last_activity_at update.
	RevalidateEvery int
	// RetryMax bounds retries of one request (429 and 5xx); default 4.
	RetryMax int
	// RetryWait is the first backoff between retries, doubling up to 5 s;
	// default 200 ms. A Retry-After from GitLab overrides it.
	RetryWait  time.Duration
	HTTPClient *http.Client
}

// GitLab is a Source over one GitLab group. It re-reads app.yaml only for
// projects whose last activity changed since the previous complete scan, so
// an unchanged refresh costs one request per 100 projects.
type GitLab struct {
	client *gitlab.Client
	opts   GitLabOptions

	mu    sync.Mutex
	known map[int64]Repo // last complete scan, by project id
	scans int
}

// NewGitLab returns a GitLab source. Retries (5xx, 429) are client-go's,
// with a backoff that honours Retry-After.
func NewGitLab(opts GitLabOptions) (*GitLab, error) {
	if opts.Token == "" {
		return nil, errors.New("gitlab: a token is required (read_api scope on the GitOps group)")
	}
	if opts.Group == "" {
		return nil, errors.New("gitlab: the GitOps group is required")
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 8
	}
	if opts.RevalidateEvery <= 0 {
		opts.RevalidateEvery = 20
	}
	if opts.RetryMax <= 0 {
		opts.RetryMax = 4
	}
	if opts.RetryWait <= 0 {
		opts.RetryWait = 200 * time.Millisecond
	}
	clientOpts := []gitlab.ClientOptionFunc{
		gitlab.WithBaseURL(strings.TrimSuffix(opts.BaseURL, "/") + "/api/v4"),
		gitlab.WithCustomBackoff(retryablehttp.DefaultBackoff),
		gitlab.WithCustomRetryMax(opts.RetryMax),
		gitlab.WithCustomRetryWaitMinMax(opts.RetryWait, 5*time.Second),
	}
	if opts.HTTPClient != nil {
		clientOpts = append(clientOpts, gitlab.WithHTTPClient(opts.HTTPClient))
	}
	c, err := gitlab.NewClient(opts.Token, clientOpts...)
	if err != nil {
		return nil, fmt.Errorf("gitlab: %w", err)
	}
	return &GitLab{client: c, opts: opts, known: map[int64]Repo{}}, nil
}

// Scan lists the group's projects and reads app.yaml where it may have
// changed. Any failure fails the whole scan.
func (g *GitLab) Scan(ctx context.Context) ([]Repo, error) {
	projects, err := g.listProjects(ctx)
	if err != nil {
		return nil, err
	}
	g.mu.Lock()
	known := g.known
	revalidate := g.scans%g.opts.RevalidateEvery == 0
	g.mu.Unlock()

	repos := make([]Repo, len(projects))
	eg, ctx := errgroup.WithContext(ctx)
	eg.SetLimit(g.opts.Concurrency)
	for i, p := range projects {
		if prev, ok := known[p.ID]; ok && !revalidate && unchanged(prev.Project, p) {
			repos[i] = Repo{Project: p, AppYAML: prev.AppYAML, CommitSHA: prev.CommitSHA}
			continue
		}
		eg.Go(func() error {
			r, err := g.readApp(ctx, p)
			repos[i] = r
			return err
		})
	}
	if err := eg.Wait(); err != nil {
		return nil, err
	}
	g.remember(repos, true)
	return repos, nil
}

// Rescan re-reads one project, whatever its last activity says.
func (g *GitLab) Rescan(ctx context.Context, id int64) (Repo, error) {
	gp, resp, err := g.client.Projects.GetProject(id, nil, gitlab.WithContext(ctx))
	if resp != nil && resp.StatusCode == http.StatusNotFound {
		return Repo{}, ErrGone
	}
	if err != nil {
		return Repo{}, fmt.Errorf("gitlab: get project %d: %w", id, err)
	}
	p := project(gp)
	if !g.belongs(gp) {
		return Repo{}, ErrGone
	}
	r, err := g.readApp(ctx, p)
	if err != nil {
		return Repo{}, err
	}
	g.remember([]Repo{r}, false)
	return r, nil
}

func (g *GitLab) listProjects(ctx context.Context) ([]Project, error) {
	opts := &gitlab.ListGroupProjectsOptions{
		ListOptions:      gitlab.ListOptions{PerPage: 100, OrderBy: "id", Sort: "asc"},
		IncludeSubGroups: gitlab.Ptr(true),
		WithShared:       gitlab.Ptr(g.opts.IncludeShared),
	}
	if !g.opts.IncludeArchived {
		opts.Archived = gitlab.Ptr(false)
	}
	var out []Project
	for gp, err := range gitlab.Scan2(func(p gitlab.PaginationOptionFunc) ([]*gitlab.Project, *gitlab.Response, error) {
		return g.client.Groups.ListGroupProjects(g.opts.Group, opts, p, gitlab.WithContext(ctx))
	}) {
		if err != nil {
			return nil, fmt.Errorf("gitlab: list projects of group %s: %w", g.opts.Group, err)
		}
		if g.belongs(gp) {
			out = append(out, project(gp))
		}
	}
	return out, nil
}

// belongs keeps shared-in and archived projects out unless asked for; the
// listing filters them already, and a rescan must agree with the listing.
func (g *GitLab) belongs(gp *gitlab.Project) bool {
	if gp.Archived && !g.opts.IncludeArchived {
		return false
	}
	if g.opts.IncludeShared {
		return true
	}
	group := strings.Trim(g.opts.Group, "/")
	return gp.Namespace != nil && (gp.Namespace.FullPath == group || strings.HasPrefix(gp.Namespace.FullPath, group+"/") || fmt.Sprint(gp.Namespace.ID) == group)
}

// readApp fetches app.yaml from the default branch: one request gives the
// content and the branch head.
func (g *GitLab) readApp(ctx context.Context, p Project) (Repo, error) {
	r := Repo{Project: p}
	if p.DefaultBranch == "" { // an empty repository
		return r, nil
	}
	f, resp, err := g.client.RepositoryFiles.GetFile(p.ID, AppFile, &gitlab.GetFileOptions{Ref: gitlab.Ptr(p.DefaultBranch)}, gitlab.WithContext(ctx))
	if resp != nil && resp.StatusCode == http.StatusNotFound {
		return r, nil
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

// remember records what was read; a complete scan replaces the record so
// deleted projects leave it.
func (g *GitLab) remember(repos []Repo, complete bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if complete {
		g.known = make(map[int64]Repo, len(repos))
		g.scans++
	}
	for _, r := range repos {
		g.known[r.ID] = r
	}
}

func unchanged(a, b Project) bool {
	return a.LastActivityAt.Equal(b.LastActivityAt) && a.DefaultBranch == b.DefaultBranch
}

func project(gp *gitlab.Project) Project {
	p := Project{
		ID:            gp.ID,
		Path:          gp.Path,
		FullPath:      gp.PathWithNamespace,
		WebURL:        gp.WebURL,
		RepoURL:       gitURL(gp.HTTPURLToRepo),
		AppPath:       ".",
		DefaultBranch: gp.DefaultBranch,
		Topics:        gp.Topics,
	}
	if gp.Namespace != nil {
		p.Namespace = gp.Namespace.FullPath
	}
	if gp.CreatedAt != nil {
		p.CreatedAt = *gp.CreatedAt
	}
	if gp.LastActivityAt != nil {
		p.LastActivityAt = *gp.LastActivityAt
	}
	return p
}

// gitURL makes the clone URL end in .git, the form Argo CD matches
// repository credentials and AppProject sourceRepos against.
func gitURL(u string) string {
	if u == "" || strings.HasSuffix(u, ".git") {
		return u
	}
	return u + ".git"
}
