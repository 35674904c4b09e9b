package source

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	gitlab "gitlab.com/gitlab-org/api/client-go"
)

// GitLabOptions configures a GitLab group source.
type GitLabOptions struct {
	BaseURL         string // e.g. https://gitlab.com
	Token           string
	Group           string // full path or numeric id of the GitOps group
	IncludeArchived bool
	IncludeShared   bool
	// Concurrency bounds parallel REST file reads so a cold scan stays
	// inside GitLab's per-user request limits.
	Concurrency int
	// NoGraphQL reads every app.yaml through REST, one request each,
	// instead of 100 per GraphQL query (with REST for what GraphQL does
	// not answer).
	NoGraphQL bool
	// RevalidateAfter is how old a read may grow before it is read again,
	// in case GitLab did not bump last_activity_at for a push (it does so
	// at most once an hour); default 1 h.
	RevalidateAfter time.Duration
	// RevalidateSlice caps those re-reads at 1/RevalidateSlice of the
	// projects per scan, so they spread out instead of coming all at once;
	// default 20.
	RevalidateSlice int
	// RetryMax bounds retries of one request (429 and 5xx); default 4.
	RetryMax int
	// RetryWait is the first backoff between retries, doubling up to 5 s;
	// default 200 ms. A Retry-After from GitLab overrides it.
	RetryWait  time.Duration
	HTTPClient *http.Client
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// GitLab is a Source over one GitLab group. It re-reads app.yaml only for
// projects whose last activity changed since it last read them, so an
// unchanged refresh costs one request per 100 projects. What it read is
// kept per project, so a scan cut short by a time limit or a failing
// project loses nothing: the next scan goes on from there.
type GitLab struct {
	client *gitlab.Client
	opts   GitLabOptions
	reader reader

	mu    sync.Mutex
	known map[int64]Repo // the last read of each listed project
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
	opts.Group = strings.Trim(opts.Group, "/")
	if opts.Concurrency <= 0 {
		opts.Concurrency = 8
	}
	if opts.RevalidateAfter <= 0 {
		opts.RevalidateAfter = time.Hour
	}
	if opts.RevalidateSlice <= 0 {
		opts.RevalidateSlice = 20
	}
	if opts.RetryMax <= 0 {
		opts.RetryMax = 4
	}
	if opts.RetryWait <= 0 {
		opts.RetryWait = 200 * time.Millisecond
	}
	if opts.Now == nil {
		opts.Now = time.Now
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
	g := &GitLab{client: c, opts: opts, known: map[int64]Repo{}}
	rest := restReader{g: g, concurrency: opts.Concurrency}
	g.reader = rest
	if !opts.NoGraphQL {
		g.reader = &graphqlReader{g: g, rest: rest, batch: maxBatch}
	}
	return g, nil
}

func (g *GitLab) now() time.Time { return g.opts.Now() }

// Seed hands the source what an earlier process read (a persisted scan),
// so it re-reads only what changed since.
func (g *GitLab) Seed(repos []Repo) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, r := range repos {
		g.known[r.ID] = r
	}
}

// Scan lists the group's projects, proving the listing complete, and
// reads app.yaml where it may have changed. Only a listing failure, or a
// time limit reached before every project was read once, fails it; a
// project whose read fails keeps its last read and carries ReadError.
func (g *GitLab) Scan(ctx context.Context) ([]Repo, error) {
	group, err := g.group(ctx)
	if err != nil {
		return nil, err
	}
	projects, err := g.listProjects(ctx, group)
	if err != nil {
		return nil, err
	}
	g.mu.Lock()
	known := g.known
	g.mu.Unlock()
	todo := g.plan(projects, known)
	got := g.reader.read(ctx, todo)
	repos, unread := assemble(projects, known, got)
	g.learn(repos)
	if unread > 0 {
		return nil, fmt.Errorf("gitlab: the scan ran out of time with %d of %d projects never read (%d read now); what was read is kept and the next scan goes on: %w", unread, len(projects), len(got), context.Cause(ctx))
	}
	return repos, nil
}

// plan picks the projects to read: new ones, changed ones, ones whose last
// read failed, and a slice of the longest unread.
func (g *GitLab) plan(projects []Project, known map[int64]Repo) []Project {
	var todo, due []Project
	now := g.now()
	for _, p := range projects {
		prev, ok := known[p.ID]
		switch {
		case !ok || prev.ReadError != "" || !unchanged(prev.Project, p):
			todo = append(todo, p)
		case now.Sub(prev.ReadAt) >= g.opts.RevalidateAfter:
			due = append(due, p)
		}
	}
	slice := (len(projects) + g.opts.RevalidateSlice - 1) / g.opts.RevalidateSlice
	sortByReadAt(due, known)
	return append(todo, due[:min(slice, len(due))]...)
}

// assemble gives one Repo per listed project: the read of this scan, or the
// last one. unread counts projects never read that this scan did not reach.
func assemble(projects []Project, known map[int64]Repo, got map[int64]readResult) ([]Repo, int) {
	repos := make([]Repo, 0, len(projects))
	unread := 0
	for _, p := range projects {
		res, tried := got[p.ID]
		prev, ok := known[p.ID]
		switch {
		case tried && res.err == nil:
			repos = append(repos, res.repo)
		case tried && ok:
			prev.ReadError = res.err.Error() // keeps prev's activity: read again next scan
			repos = append(repos, prev)
		case tried:
			repos = append(repos, Repo{Project: p, ReadError: res.err.Error()})
		case ok && prev.ReadError == "" && unchanged(prev.Project, p):
			prev.Project = p
			repos = append(repos, prev)
		case ok:
			repos = append(repos, prev) // not reached: the last read stands
		default:
			unread++
		}
	}
	return repos, unread
}

// learn records this scan's reads. The listing was complete, so a project
// it no longer shows is forgotten.
func (g *GitLab) learn(repos []Repo) {
	g.mu.Lock()
	defer g.mu.Unlock()
	next := make(map[int64]Repo, len(repos))
	for _, r := range repos {
		next[r.ID] = r
	}
	g.known = next
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
	group, err := g.group(ctx)
	if err != nil {
		return Repo{}, err
	}
	if !g.belongs(gp, group) {
		return Repo{}, ErrGone
	}
	r, err := g.readFile(ctx, project(gp))
	if err != nil {
		return Repo{}, err
	}
	g.mu.Lock()
	g.known[r.ID] = r
	g.mu.Unlock()
	return r, nil
}

// groupRef is the GitOps group as GitLab names it now.
type groupRef struct {
	ID       string // what the listing is asked for: the configured id or path
	FullPath string
}

// group resolves a numeric group id to its full path, which tells a
// subgroup's project from a shared-in one; a configured path is used as is.
func (g *GitLab) group(ctx context.Context) (groupRef, error) {
	if _, err := strconv.ParseInt(g.opts.Group, 10, 64); err != nil {
		return groupRef{ID: g.opts.Group, FullPath: g.opts.Group}, nil
	}
	//lint:ignore SA1019 API v4 still embeds the group's projects unless told not to
	gr, _, err := g.client.Groups.GetGroup(g.opts.Group, &gitlab.GetGroupOptions{WithProjects: gitlab.Ptr(false)}, gitlab.WithContext(ctx))
	if err != nil {
		return groupRef{}, fmt.Errorf("gitlab: get group %s: %w", g.opts.Group, err)
	}
	return groupRef{ID: g.opts.Group, FullPath: gr.FullPath}, nil
}

// belongs keeps shared-in and archived projects out unless asked for; the
// listing filters them already, and a rescan must agree with the listing.
func (g *GitLab) belongs(gp *gitlab.Project, group groupRef) bool {
	if gp.Archived && !g.opts.IncludeArchived {
		return false
	}
	if g.opts.IncludeShared {
		return true
	}
	if gp.Namespace == nil {
		return false
	}
	ns := strings.ToLower(gp.Namespace.FullPath)
	want := strings.ToLower(group.FullPath)
	return ns == want || strings.HasPrefix(ns, want+"/")
}

// sortByReadAt orders projects by their last read, oldest first.
func sortByReadAt(ps []Project, known map[int64]Repo) {
	slices.SortStableFunc(ps, func(a, b Project) int { return known[a.ID].ReadAt.Compare(known[b.ID].ReadAt) })
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
