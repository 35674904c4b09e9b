package gitlabfake

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

const (
	defaultPerPage = 20
	maxPerPage     = 100
	// countLimit: GitLab stops counting large collections and then omits
	// X-Total, X-Total-Pages and the rel="last" link.
	countLimit = 10000
)

// paging holds the pagination parameters common to all list endpoints.
type paging struct {
	page    int
	perPage int
	keyset  bool
}

func parsePaging(rq *request) (paging, bool) {
	p := paging{page: 1, perPage: defaultPerPage, keyset: rq.q.Get("pagination") == "keyset"}
	for _, f := range []struct {
		name string
		dst  *int
	}{{"page", &p.page}, {"per_page", &p.perPage}} {
		v := rq.q.Get(f.name)
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			writeError(rq.w, http.StatusBadRequest, f.name+" is invalid")
			return p, false
		}
		if n > 0 {
			*f.dst = n
		}
	}
	// Kaminari clamps to max_per_page rather than rejecting.
	p.perPage = min(p.perPage, maxPerPage)
	return p, true
}

// window returns the bounds of the requested page in a collection of n.
func (p paging) window(n int) (lo, hi int) {
	lo = min((p.page-1)*p.perPage, n)
	return lo, min(lo+p.perPage, n)
}

// pageURL rebuilds the request URL with some query parameters replaced, the
// way GitLab builds its Link headers (all original parameters, sorted).
func pageURL(rq *request, set map[string]string) string {
	q := url.Values{}
	for k, v := range rq.q {
		q[k] = v
	}
	for k, v := range set {
		q.Set(k, v)
	}
	return rq.base + rq.r.URL.EscapedPath() + "?" + q.Encode()
}

func link(u, rel string) string { return "<" + u + ">; rel=\"" + rel + "\"" }

// setOffsetHeaders writes the headers of Gitlab::Pagination::OffsetPagination
// for a collection of total records.
func setOffsetHeaders(rq *request, p paging, total int) {
	h := rq.w.Header()
	counted := total <= countLimit
	totalPages := max(1, (total+p.perPage-1)/p.perPage) // GitLab reports at least one page
	next, prev := "", ""
	if p.page*p.perPage < total {
		next = strconv.Itoa(p.page + 1)
	}
	if p.page > 1 {
		prev = strconv.Itoa(p.page - 1)
	}
	h.Set("X-Page", strconv.Itoa(p.page))
	h.Set("X-Per-Page", strconv.Itoa(p.perPage))
	h.Set("X-Next-Page", next) // GitLab sends these empty rather than omitting them
	h.Set("X-Prev-Page", prev)
	if counted {
		h.Set("X-Total", strconv.Itoa(total))
		h.Set("X-Total-Pages", strconv.Itoa(totalPages))
	}
	pp := strconv.Itoa(p.perPage)
	var links []string
	if prev != "" {
		links = append(links, link(pageURL(rq, map[string]string{"page": prev, "per_page": pp}), "prev"))
	}
	if next != "" {
		links = append(links, link(pageURL(rq, map[string]string{"page": next, "per_page": pp}), "next"))
	}
	links = append(links, link(pageURL(rq, map[string]string{"page": "1", "per_page": pp}), "first"))
	if counted {
		links = append(links, link(pageURL(rq, map[string]string{"page": strconv.Itoa(totalPages), "per_page": pp}), "last"))
	}
	h.Set("Link", strings.Join(links, ", "))
}

// setKeysetNext writes the only header keyset pagination has: a rel="next"
// link carrying the cursor parameters. Callers omit it on the last page.
func setKeysetNext(rq *request, cursor map[string]string) {
	rq.w.Header().Set("Link", link(pageURL(rq, cursor), "next"))
}

// writeJSONArray writes pre-encoded JSON objects as one array without
// first copying them into a single buffer: a page of 100 full project
// entities is about 200 KB, and that copy was most of the fake's work.
func writeJSONArray(w http.ResponseWriter, items [][]byte) {
	n := 2 + max(0, len(items)-1)
	for _, it := range items {
		n += len(it)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(n))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte{'['})
	for i, it := range items {
		if i > 0 {
			_, _ = w.Write([]byte{','})
		}
		_, _ = w.Write(it)
	}
	_, _ = w.Write([]byte{']'})
}

// writePage answers a list endpoint with one offset page of items and
// GitLab's pagination headers.
func writePage[T any](rq *request, items []T) {
	pg, ok := parsePaging(rq)
	if !ok {
		return
	}
	lo, hi := pg.window(len(items))
	setOffsetHeaders(rq, pg, len(items))
	writeJSON(rq.w, http.StatusOK, append([]T{}, items[lo:hi]...))
}
