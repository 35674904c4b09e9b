package gitlabfake

import "slices"

// listProjects serves GET /projects: every project the caller can see
// (member, or public or internal), filtered and ordered like a group's
// listing, with offset pagination.
func (f *Fake) listProjects(rq *request) {
	pg, ok := parsePaging(rq)
	if !ok {
		return
	}
	key, ok := parseListKey(rq)
	if !ok {
		return
	}
	simple, _, ok := boolParam(rq, "simple")
	if !ok {
		return
	}
	f.mu.RLock()
	defer f.mu.RUnlock()
	var list []*project
	for _, p := range f.projects {
		if (p.visibility != "private" || f.accessLevel(rq.tok, p) > accessNone) && key.keep(p) {
			list = append(list, p)
		}
	}
	slices.SortFunc(list, func(a, b *project) int { return compareInt(a.id, b.id) })
	key.order(list)
	lo, hi := pg.window(len(list))
	setOffsetHeaders(rq, pg, len(list))
	items := make([][]byte, 0, hi-lo)
	for _, p := range list[lo:hi] {
		items = append(items, p.json(rq.base, simple))
	}
	writeJSONArray(rq.w, items)
}
