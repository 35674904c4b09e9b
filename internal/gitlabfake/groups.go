package gitlabfake

import "net/http"

// groupJSON is the part of GET /groups/:id a client resolving a group
// reads: GitLab's Group entity without its deprecated projects array
// (clients pass with_projects=false, and the fake never sends it).
type groupJSON struct {
	namespaceJSON
	FullName    string `json:"full_name"`
	Description string `json:"description"`
	Visibility  string `json:"visibility"`
	CreatedAt   string `json:"created_at"`
}

// getGroup serves GET /groups/:id, by numeric id or URL-encoded full path.
func (f *Fake) getGroup(rq *request) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	g := f.findGroup(rq.args[0])
	if g == nil || g.kind == "user" {
		notFound(rq.w, "Group")
		return
	}
	writeJSON(rq.w, http.StatusOK, groupJSON{
		namespaceJSON: g.entity(rq.base),
		FullName:      g.fullName,
		Visibility:    orDefault(g.visibility, "private"),
		CreatedAt:     gitlabTime(g.createdAt),
	})
}
