// Package gitlabfake is an in-memory fake of the GitLab REST API v4, shared by
// the project's tests and benchmarks. It serves the small slice of the API an
// application-discovery client needs — group projects, single projects,
// repository files, trees and branches — with GitLab's own field names, status
// codes, error bodies and pagination headers, so that the official Go client
// (gitlab.com/gitlab-org/api/client-go) and Argo CD's SCM provider can run
// against it unchanged.
//
// It also serves GitLab's GraphQL API at /api/graphql, for the schema in
// graphql_schema.go, charging queries GitLab's complexity.
//
// It also manages projects as Backstage's scaffolder does: GET /user and
// /namespaces/:id, POST/PUT/DELETE /projects (with GitLab 18's delayed
// deletion), members and sharing, project access and deploy tokens, CI/CD
// variables and protected branches, each refusing what GitLab refuses, in
// GitLab's words. With Options.GitRoot every project is a real bare
// repository served over git smart HTTP for clone and push (push.go), and
// what is pushed becomes the project's state.
//
// The fake also injects failures (Fault), enforces a GitLab.com-style rate
// limit (SetRateLimit), counts requests by endpoint template (Requests) and
// renders "Push Hook" webhook payloads (PushEvent).
//
// Everything lives in one *Fake: there is no package-level state, every method
// is safe for concurrent use, and answers are deterministic for a given
// sequence of fixture calls.
package gitlabfake

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// Options configures a Fake. The zero value is usable: no authentication, the
// wall clock, and last_activity_at bumped by every commit.
type Options struct {
	// Token is the only access token accepted. Empty disables authentication.
	// Requests must carry it as a PRIVATE-TOKEN header, an
	// "Authorization: Bearer" header, or a private_token/access_token query
	// parameter (the forms GitLab documents); otherwise they get 401.
	Token string

	// BaseURL is the external URL of the fake, used in web_url,
	// http_url_to_repo, Link headers and webhook payloads. Empty means "the
	// scheme and Host of each request", which is right for httptest servers;
	// SetBaseURL changes it later.
	BaseURL string

	// Now is the clock used for timestamps and rate-limit windows. Nil means
	// time.Now. Tests that need stable timestamps or want to step over a
	// rate-limit window inject their own.
	Now func() time.Time

	// ActivityThrottle mirrors GitLab's habit of refreshing a project's
	// last_activity_at at most once per interval (GitLab uses one hour). Zero
	// refreshes it on every commit, which is what most tests want.
	ActivityThrottle time.Duration

	// GitLabCom applies gitlab.com's rules where they differ from a
	// self-managed default: internal visibility is restricted for new
	// projects, and project access tokens need an expiry at most 365 days
	// away.
	GitLabCom bool

	// GitRoot, when set, makes the fake serve git smart HTTP (clone and
	// push) at <full_path>.git for every project created through the API,
	// each backed by a bare repository under this directory. Pushes to a
	// default branch become the project's state in the API.
	GitRoot string

	// GroupProjectsOffsetOnly answers GET /groups/:id/projects with offset
	// pages even when keyset pagination is asked for, as GitLab releases
	// that support keyset only on GET /projects do. Clients must handle
	// both answers.
	GroupProjectsOffsetOnly bool
}

// Fake is an http.Handler serving the GitLab REST API v4 under /api/v4/.
type Fake struct {
	opts Options

	mu       sync.RWMutex // guards the repository state below
	baseURL  string
	groups   map[int64]*group
	groupsBy map[string]*group // lower-cased full path → group
	projects map[int64]*project
	projBy   map[string]*project // lower-cased path_with_namespace → project
	nextGID  int64
	nextPID  int64
	seq      uint64 // commit counter feeding SHA generation
	lists    listCache

	users       map[int64]*user
	nextUID     int64
	tokens      map[string]*token // secret → token, of every kind
	nextTokenID int64
	main        *token
	nextVarID   int64
	gitMu       sync.Mutex // serialises pushes, so state follows git in order

	reqMu     sync.Mutex // guards the request bookkeeping below
	counts    map[string]int
	total     int
	unmatched []string
	faults    []*faultState
	limit     rateLimit
}

// New returns an empty fake.
func New(opts Options) *Fake {
	f := &Fake{
		opts:     opts,
		baseURL:  strings.TrimSuffix(opts.BaseURL, "/"),
		groups:   map[int64]*group{},
		groupsBy: map[string]*group{},
		projects: map[int64]*project{},
		projBy:   map[string]*project{},
		counts:   map[string]int{},
		users:    map[int64]*user{},
		tokens:   map[string]*token{},
	}
	f.mainToken()
	return f
}

// NewServer starts a loopback httptest.Server serving a new fake and points
// the fake's BaseURL at it. The caller closes the server.
func NewServer(opts Options) (*Fake, *httptest.Server) {
	f := New(opts)
	srv := httptest.NewServer(f)
	f.SetBaseURL(srv.URL)
	return f, srv
}

// Start is NewServer for tests: the server is closed when tb finishes.
func Start(tb testing.TB, opts Options) *Fake {
	tb.Helper()
	f, srv := NewServer(opts)
	tb.Cleanup(srv.Close)
	return f
}

// SetBaseURL sets the external URL used in payload links (see Options.BaseURL).
func (f *Fake) SetBaseURL(u string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.baseURL = strings.TrimSuffix(u, "/")
}

// URL returns the configured base URL ("" when it follows each request).
func (f *Fake) URL() string {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.baseURL
}

// APIURL returns the base URL with the /api/v4 suffix most clients expect.
func (f *Fake) APIURL() string { return f.URL() + "/api/v4" }

func (f *Fake) now() time.Time {
	if f.opts.Now != nil {
		return f.opts.Now()
	}
	return time.Now()
}

// request carries one API call through the handlers.
type request struct {
	w    http.ResponseWriter
	r    *http.Request
	q    url.Values
	base string   // external base URL, no trailing slash
	args []string // decoded path parameters, in template order
	tok  *token   // the caller's token; the bot's when authentication is off
}

type handlerFunc func(f *Fake, rq *request)

// ServeHTTP routes, counts, applies faults and the rate limit, checks the
// token, then answers. Faults and throttling come before authentication
// because on GitLab.com they happen in front of the Rails application.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if path, _, ok := gitPath(r.URL.Path); ok && f.opts.GitRoot != "" {
		name := "git " + gitService(r)
		f.count(name, r)
		if proceed, _ := f.applyFault(w, r, name); proceed {
			f.serveGit(w, r, path)
		}
		return
	}
	name, h, args := match(r.Method, r.URL.EscapedPath())
	f.count(name, r)

	proceed, rewrite := f.applyFault(w, r, name)
	if !proceed {
		return
	}
	if rewrite != nil {
		rw := &rewriter{ResponseWriter: w, fault: rewrite}
		defer rw.finish()
		w = rw
	}
	if !f.applyRateLimit(w) {
		return
	}
	if h == nil {
		// Grape's answer for a route it does not know.
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "404 Not Found"})
		return
	}
	rq := &request{w: w, r: r, q: r.URL.Query(), base: f.requestBase(r), args: args}
	// GraphQL serves anonymous callers and words its own refusal.
	if name != graphQLEndpoint {
		f.mu.RLock()
		tok, ok := f.lookupToken(r)
		f.mu.RUnlock()
		if !ok {
			writeMessage(w, http.StatusUnauthorized, "401 Unauthorized")
			return
		}
		if !scopeOK(w, r, tok) || !f.confined(rq, name, tok) {
			return
		}
		rq.tok = tok
	}
	h(f, rq)
}

// confined keeps a token other than the bot's to what its user may read:
// a private project only as a member (a project access token's bot is a
// member of its project alone), a private group only as a member. Anything
// else is 404, as GitLab does not confirm that it exists.
func (f *Fake) confined(rq *request, name string, t *token) bool {
	if t.main || t.user != nil && t.user.id == BotUserID {
		return true
	}
	f.mu.RLock()
	defer f.mu.RUnlock()
	switch {
	case strings.Contains(name, " /projects/:id"):
		if p := f.findProject(rq.args[0]); p == nil || p.visibility != "private" || f.accessLevel(t, p) > accessNone {
			return true // unknown projects get the handler's own 404
		}
		notFound(rq.w, "Project")
	case strings.Contains(name, " /groups/:id"):
		if g := f.findGroup(rq.args[0]); g == nil || !t.user.bot && (groupVisibility(g) != "private" || f.groupAccess(t, g) > accessNone) {
			return true
		}
		notFound(rq.w, "Group")
	default:
		return true
	}
	return false
}

func (f *Fake) requestBase(r *http.Request) string {
	f.mu.RLock()
	base := f.baseURL
	f.mu.RUnlock()
	if base != "" {
		return base
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// authorized accepts any active token in any of the places GitLab documents.
func (f *Fake) authorized(r *http.Request) bool {
	f.mu.RLock()
	defer f.mu.RUnlock()
	_, ok := f.lookupToken(r)
	return ok
}

// match maps a request to its endpoint template. Path parameters must be
// URL-encoded single segments (GitLab's NAMESPACE_OR_PROJECT and file_path
// requirements), so "/projects/a/b" is not a project path but an unknown
// route, exactly as on GitLab.
func match(method, escapedPath string) (string, handlerFunc, []string) {
	if method == http.MethodPost && escapedPath == "/api/graphql" {
		return graphQLEndpoint, (*Fake).graphQL, nil
	}
	const prefix = "/api/v4/"
	if !strings.HasPrefix(escapedPath, prefix) {
		return "", nil, nil
	}
	raw := strings.Split(strings.TrimPrefix(escapedPath, prefix), "/")
	segs := make([]string, len(raw))
	for i, s := range raw {
		d, err := url.PathUnescape(s)
		if err != nil || d == "" {
			return "", nil, nil
		}
		segs[i] = d
	}
	if name, h, args := route(method, segs); h != nil {
		return name, h, args
	}
	if method != http.MethodGet && method != http.MethodHead {
		return "", nil, nil
	}
	m := method + " "
	switch {
	case len(segs) == 2 && segs[0] == "groups":
		return m + "/groups/:id", (*Fake).getGroup, []string{segs[1]}
	case len(segs) == 3 && segs[0] == "groups" && segs[2] == "projects":
		return m + "/groups/:id/projects", (*Fake).listGroupProjects, []string{segs[1]}
	case len(segs) == 2 && segs[0] == "projects":
		return m + "/projects/:id", (*Fake).getProject, []string{segs[1]}
	case len(segs) < 4 || segs[0] != "projects" || segs[2] != "repository":
		return "", nil, nil
	}
	id := segs[1]
	switch {
	case len(segs) == 4 && segs[3] == "tree":
		return m + "/projects/:id/repository/tree", (*Fake).listTree, []string{id}
	case len(segs) == 4 && segs[3] == "branches":
		return m + "/projects/:id/repository/branches", (*Fake).listBranches, []string{id}
	case len(segs) == 5 && segs[3] == "branches":
		return m + "/projects/:id/repository/branches/:branch", (*Fake).getBranch, []string{id, segs[4]}
	case len(segs) == 5 && segs[3] == "files":
		return m + "/projects/:id/repository/files/:file_path", (*Fake).getFile, []string{id, segs[4]}
	case len(segs) == 6 && segs[3] == "files" && segs[5] == "raw":
		return m + "/projects/:id/repository/files/:file_path/raw", (*Fake).getRawFile, []string{id, segs[4]}
	}
	return "", nil, nil
}

// Unmatched is the Requests key under which unknown routes are counted.
const Unmatched = "unmatched"

func (f *Fake) count(name string, r *http.Request) {
	f.reqMu.Lock()
	defer f.reqMu.Unlock()
	f.total++
	if name == "" {
		f.counts[Unmatched]++
		f.unmatched = append(f.unmatched, r.Method+" "+r.URL.RequestURI())
		return
	}
	f.counts[name]++
}

// Requests returns how many requests arrived per endpoint template, such as
// "GET /groups/:id/projects" or
// "HEAD /projects/:id/repository/files/:file_path"; unknown routes count
// under Unmatched. Requests answered by a fault or the rate limit count too.
func (f *Fake) Requests() map[string]int {
	f.reqMu.Lock()
	defer f.reqMu.Unlock()
	out := make(map[string]int, len(f.counts))
	for k, v := range f.counts {
		out[k] = v
	}
	return out
}

// TotalRequests returns the number of requests received since the last reset.
func (f *Fake) TotalRequests() int {
	f.reqMu.Lock()
	defer f.reqMu.Unlock()
	return f.total
}

// UnmatchedRequests lists "METHOD /request/uri" for every unknown route hit,
// so a failing test can say what the client asked for.
func (f *Fake) UnmatchedRequests() []string {
	f.reqMu.Lock()
	defer f.reqMu.Unlock()
	return append([]string(nil), f.unmatched...)
}

// ResetCounts zeroes the request counters (not faults or the rate limit).
func (f *Fake) ResetCounts() {
	f.reqMu.Lock()
	defer f.reqMu.Unlock()
	f.counts = map[string]int{}
	f.total = 0
	f.unmatched = nil
	f.limit.throttled = 0
}
