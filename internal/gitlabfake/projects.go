package gitlabfake

import (
	"cmp"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// listGroupProjects serves GET /groups/:id/projects.
//
// Parameters and defaults follow lib/api/groups.rb: order_by created_at, sort
// desc, with_shared true, include_subgroups false, archived unset (both).
// Ties are broken by id in the same direction, as reorder_projects does.
// Keyset pagination (pagination=keyset) requires order_by=id, as for
// GET /projects; note that current GitLab releases answer the group endpoint
// with offset pagination even when keyset is asked for.
func (f *Fake) listGroupProjects(rq *request) {
	pg, ok := parsePaging(rq)
	if !ok {
		return
	}
	pg.keyset = pg.keyset && !f.opts.GroupProjectsOffsetOnly
	key, ok := parseListKey(rq)
	if !ok {
		return
	}
	idAfter, idBefore, ok := idBounds(rq)
	if !ok {
		return
	}
	simple, _, ok := boolParam(rq, "simple")
	if !ok {
		return
	}

	f.mu.RLock()
	defer f.mu.RUnlock()
	g := f.findGroup(rq.args[0])
	if g == nil {
		notFound(rq.w, "Group")
		return
	}
	if pg.keyset && key.orderBy != "id" {
		writeError(rq.w, http.StatusMethodNotAllowed, "Keyset pagination is not yet available for this type of request")
		return
	}
	key.group = g.id
	all := f.lists.get(key, func() []*project { return collect(g, key) })
	list := boundByID(all, key, idAfter, idBefore)

	var page []*project
	if pg.keyset {
		page = list[:min(pg.perPage, len(list))]
		if len(page) == pg.perPage {
			cursor := "id_before"
			if key.sort == "asc" {
				cursor = "id_after"
			}
			setKeysetNext(rq, map[string]string{cursor: strconv.FormatInt(page[len(page)-1].id, 10)})
		}
	} else {
		lo, hi := pg.window(len(list))
		page = list[lo:hi]
		setOffsetHeaders(rq, pg, len(list))
	}
	items := make([][]byte, len(page))
	for i, p := range page {
		items[i] = p.json(rq.base, simple)
	}
	writeJSONArray(rq.w, items)
}

// getProject serves GET /projects/:id.
func (f *Fake) getProject(rq *request) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	p := f.findProject(rq.args[0])
	if p == nil {
		notFound(rq.w, "Project")
		return
	}
	writeRawJSON(rq.w, http.StatusOK, p.json(rq.base, false))
}

// listKey identifies one filtered, ordered view of a group's projects; the
// views are cached until the next mutation so that walking 10,000 projects a
// page at a time costs one sort, not one per page.
type listKey struct {
	group      int64
	subgroups  bool
	shared     bool
	archived   int8 // -1 either, 0 not archived, 1 archived
	orderBy    string
	sort       string
	topics     string
	search     string
	visibility string
}

type listCache struct {
	mu sync.Mutex
	m  map[listKey][]*project
}

// invalidate drops every cached view; callers hold Fake.mu for writing.
func (c *listCache) invalidate() {
	c.mu.Lock()
	c.m = nil
	c.mu.Unlock()
}

// invalidateIf drops the views a change can affect, so that, say, a commit
// does not force re-sorting a 10,000-project listing ordered by created_at.
func (c *listCache) invalidateIf(affected func(listKey) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.m {
		if affected(k) {
			delete(c.m, k)
		}
	}
}

// Views whose order depends on the timestamps a commit or an update moves.
func orderedByActivity(k listKey) bool {
	return k.orderBy == "updated_at" || k.orderBy == "last_activity_at"
}

func (c *listCache) get(k listKey, build func() []*project) []*project {
	c.mu.Lock()
	defer c.mu.Unlock()
	if l, ok := c.m[k]; ok {
		return l
	}
	if c.m == nil {
		c.m = map[listKey][]*project{}
	}
	l := build()
	c.m[k] = l
	return l
}

var projectOrders = []string{"id", "name", "path", "created_at", "updated_at", "last_activity_at", "similarity", "star_count"}

func parseListKey(rq *request) (listKey, bool) {
	k := listKey{orderBy: "created_at", sort: "desc", shared: true, archived: -1}
	if v := rq.q.Get("order_by"); v != "" {
		if !slices.Contains(projectOrders, v) {
			writeError(rq.w, http.StatusBadRequest, "order_by does not have a valid value")
			return k, false
		}
		k.orderBy = v
	}
	if v := rq.q.Get("sort"); v != "" {
		if v != "asc" && v != "desc" {
			writeError(rq.w, http.StatusBadRequest, "sort does not have a valid value")
			return k, false
		}
		k.sort = v
	}
	var ok bool
	var set bool
	if k.subgroups, _, ok = boolParam(rq, "include_subgroups"); !ok {
		return k, false
	}
	var shared bool
	if shared, set, ok = boolParam(rq, "with_shared"); !ok {
		return k, false
	} else if set {
		k.shared = shared
	}
	var archived bool
	if archived, set, ok = boolParam(rq, "archived"); !ok {
		return k, false
	} else if set {
		k.archived = 0
		if archived {
			k.archived = 1
		}
	}
	// active=true means "not archived (and not pending deletion)".
	var active bool
	if active, set, ok = boolParam(rq, "active"); !ok {
		return k, false
	} else if set {
		k.archived = 1
		if active {
			k.archived = 0
		}
	}
	k.topics = strings.ToLower(rq.q.Get("topic"))
	k.search = strings.ToLower(rq.q.Get("search"))
	k.visibility = rq.q.Get("visibility")
	if k.orderBy == "similarity" && k.search == "" {
		k.orderBy, k.sort = "name", "asc" // handle_similarity_order without a search
	}
	return k, true
}

func idBounds(rq *request) (after, before int64, ok bool) {
	for _, b := range []struct {
		name string
		dst  *int64
	}{{"id_after", &after}, {"id_before", &before}} {
		if v := rq.q.Get(b.name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				writeError(rq.w, http.StatusBadRequest, b.name+" is invalid")
				return 0, 0, false
			}
			*b.dst = n
		}
	}
	return after, before, true
}

// collect gathers, filters and orders the projects a listing shows.
func collect(g *group, k listKey) []*project {
	out := make([]*project, 0, g.size(k.subgroups)+len(g.shared))
	var walk func(*group)
	walk = func(g *group) {
		for _, p := range g.projects {
			if k.keep(p) {
				out = append(out, p)
			}
		}
		if k.subgroups {
			for _, c := range g.children {
				walk(c)
			}
		}
	}
	walk(g)
	if k.shared {
		// Shared into the group itself, not into its subgroups; a project the
		// listing already owns is not repeated.
		for _, p := range g.shared {
			if !k.owns(g, p) && k.keep(p) {
				out = append(out, p)
			}
		}
	}
	k.order(out)
	return out
}

// size counts the projects a walk can visit, to allocate once.
func (g *group) size(subgroups bool) int {
	n := len(g.projects)
	if subgroups {
		for _, c := range g.children {
			n += c.size(true)
		}
	}
	return n
}

// owns reports whether p is already in the listing of g as an owned project.
func (k listKey) owns(g *group, p *project) bool {
	for ns := p.ns; ns != nil; ns = ns.parent {
		if ns == g {
			return true
		}
		if !k.subgroups {
			return false
		}
	}
	return false
}

func (k listKey) keep(p *project) bool {
	if k.archived >= 0 && p.archived != (k.archived == 1) {
		return false
	}
	if k.visibility != "" && p.visibility != k.visibility {
		return false
	}
	if k.search != "" && !strings.Contains(strings.ToLower(p.name), k.search) &&
		!strings.Contains(strings.ToLower(p.path), k.search) &&
		!strings.Contains(strings.ToLower(p.description), k.search) {
		return false
	}
	if k.topics != "" {
		// topic=a,b keeps projects that have all of the topics.
		for _, t := range strings.Split(k.topics, ",") {
			if t = strings.TrimSpace(t); t != "" && !slices.ContainsFunc(p.topics, func(pt string) bool { return strings.EqualFold(pt, t) }) {
				return false
			}
		}
	}
	return true
}

// order sorts by the requested column, then by id in the same direction as
// reorder_projects does. Numeric keys are extracted first so that sorting
// 10,000 projects compares integers, not time.Time values.
func (k listKey) order(ps []*project) {
	dir := 1
	if k.sort == "desc" {
		dir = -1
	}
	var str func(*project) string
	var num func(*project) int64
	switch k.orderBy {
	case "name", "similarity":
		str = func(p *project) string { return p.name }
	case "path":
		str = func(p *project) string { return p.path }
	case "created_at":
		num = func(p *project) int64 { return p.createdAt.UnixNano() }
	case "updated_at":
		num = func(p *project) int64 { return p.updatedAt.UnixNano() }
	case "last_activity_at":
		num = func(p *project) int64 { return p.lastActivityAt.UnixNano() }
	default: // id, star_count (always 0 here)
		num = func(*project) int64 { return 0 }
	}
	if str != nil {
		slices.SortFunc(ps, func(a, b *project) int {
			return dir * cmp.Or(strings.Compare(str(a), str(b)), cmp.Compare(a.id, b.id))
		})
		return
	}
	// Pointer-free records sort without GC write barriers.
	type keyed struct {
		key, id int64
		idx     int
	}
	ks := make([]keyed, len(ps))
	for i, p := range ps {
		ks[i] = keyed{num(p), p.id, i}
	}
	slices.SortFunc(ks, func(a, b keyed) int {
		return dir * cmp.Or(cmp.Compare(a.key, b.key), cmp.Compare(a.id, b.id))
	})
	src := slices.Clone(ps)
	for i := range ks {
		ps[i] = src[ks[i].idx]
	}
}

// boundByID applies id_after/id_before. On an id-ordered view that is two
// binary searches, which keeps keyset pages cheap on large groups.
func boundByID(list []*project, k listKey, after, before int64) []*project {
	if after == 0 && before == 0 {
		return list
	}
	keep := func(p *project) bool { return (after == 0 || p.id > after) && (before == 0 || p.id < before) }
	if k.orderBy != "id" {
		out := make([]*project, 0, len(list))
		for _, p := range list {
			if keep(p) {
				out = append(out, p)
			}
		}
		return out
	}
	lo := sort.Search(len(list), func(i int) bool { return keep(list[i]) })
	hi := lo + sort.Search(len(list)-lo, func(i int) bool { return !keep(list[lo+i]) })
	return list[lo:hi]
}
