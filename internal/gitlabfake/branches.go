package gitlabfake

import (
	"net/http"
	"sort"
	"strings"
)

type commitJSON struct {
	ID               string            `json:"id"`
	ShortID          string            `json:"short_id"`
	CreatedAt        string            `json:"created_at"`
	ParentIDs        []string          `json:"parent_ids"`
	Title            string            `json:"title"`
	Message          string            `json:"message"`
	AuthorName       string            `json:"author_name"`
	AuthorEmail      string            `json:"author_email"`
	AuthoredDate     string            `json:"authored_date"`
	CommitterName    string            `json:"committer_name"`
	CommitterEmail   string            `json:"committer_email"`
	CommittedDate    string            `json:"committed_date"`
	Trailers         map[string]string `json:"trailers"`
	ExtendedTrailers map[string]string `json:"extended_trailers"`
	WebURL           string            `json:"web_url"`
}

type branchJSON struct {
	Name               string     `json:"name"`
	Commit             commitJSON `json:"commit"`
	Merged             bool       `json:"merged"`
	Protected          bool       `json:"protected"`
	DevelopersCanPush  bool       `json:"developers_can_push"`
	DevelopersCanMerge bool       `json:"developers_can_merge"`
	CanPush            bool       `json:"can_push"`
	Default            bool       `json:"default"`
	WebURL             string     `json:"web_url"`
}

func (c *commit) entity(web string) commitJSON {
	t := gitlabTime(c.time)
	e := commitJSON{
		ID: c.sha, ShortID: c.sha[:8], CreatedAt: t, ParentIDs: []string{},
		Title: c.title, Message: c.message,
		AuthorName: c.authorName, AuthorEmail: c.authorEmail, AuthoredDate: t,
		CommitterName: c.authorName, CommitterEmail: c.authorEmail, CommittedDate: t,
		Trailers: map[string]string{}, ExtendedTrailers: map[string]string{},
		WebURL: web + "/-/commit/" + c.sha,
	}
	if c.parent != nil {
		e.ParentIDs = append(e.ParentIDs, c.parent.sha)
	}
	return e
}

func (p *project) branchEntity(base, name string) branchJSON {
	web := base + "/" + p.fullPath()
	head := p.branches[name]
	isDefault := name == p.defaultBranch
	return branchJSON{
		Name:      name,
		Commit:    head.entity(web),
		Merged:    !isDefault && p.merged(head),
		Protected: p.isProtected(name),
		CanPush:   true,
		Default:   isDefault,
		WebURL:    web + "/-/tree/" + name,
	}
}

// merged reports whether c is reachable from the default branch.
func (p *project) merged(c *commit) bool {
	for h := p.head(); h != nil; h = h.parent {
		if h == c {
			return true
		}
	}
	return false
}

// listBranches serves GET /projects/:id/repository/branches: branches by
// name, offset-paginated, with GitLab's search syntax (^prefix, suffix$).
func (f *Fake) listBranches(rq *request) {
	pg, ok := parsePaging(rq)
	if !ok {
		return
	}
	f.mu.RLock()
	defer f.mu.RUnlock()
	p := f.findProject(rq.args[0])
	if p == nil {
		notFound(rq.w, "Project")
		return
	}
	search := rq.q.Get("search")
	names := make([]string, 0, len(p.branches))
	for n := range p.branches {
		if matchBranch(n, search) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	lo, hi := pg.window(len(names))
	setOffsetHeaders(rq, pg, len(names))
	out := make([]branchJSON, 0, hi-lo)
	for _, n := range names[lo:hi] {
		out = append(out, p.branchEntity(rq.base, n))
	}
	writeJSON(rq.w, http.StatusOK, out)
}

func matchBranch(name, search string) bool {
	switch {
	case search == "":
		return true
	case strings.HasPrefix(search, "^"):
		return strings.HasPrefix(name, search[1:])
	case strings.HasSuffix(search, "$"):
		return strings.HasSuffix(name, search[:len(search)-1])
	}
	return strings.Contains(name, search)
}

// getBranch serves GET /projects/:id/repository/branches/:branch.
func (f *Fake) getBranch(rq *request) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	p := f.findProject(rq.args[0])
	if p == nil {
		notFound(rq.w, "Project")
		return
	}
	name := rq.args[1]
	if _, ok := p.branches[name]; !ok {
		notFound(rq.w, "Branch")
		return
	}
	writeJSON(rq.w, http.StatusOK, p.branchEntity(rq.base, name))
}
