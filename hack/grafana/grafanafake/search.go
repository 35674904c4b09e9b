package grafanafake

import (
	"net/http"
	"slices"
	"strings"

	"github.com/grafana/grafana-openapi-client-go/models"
)

// The search hit types.
const (
	dashDB     models.HitType = "dash-db"
	dashFolder models.HitType = "dash-folder"
)

// search is GET /api/search: folders (type dash-folder) and dashboards
// (dash-db), filtered by type, folderUIDs, dashboardUIDs and a title
// query, sorted by title, a page at a time.
func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	page, limit, ok := paging(w, r, 1000)
	if !ok {
		return
	}
	q := r.URL.Query()
	kind := q.Get("type")
	if kind != "" && kind != string(dashDB) && kind != string(dashFolder) {
		writeError(w, http.StatusBadRequest, "invalid type")
		return
	}
	s.mu.Lock()
	hits := s.hits(kind)
	s.mu.Unlock()
	hits = slices.DeleteFunc(hits, func(h *models.Hit) bool {
		return !matches(q["folderUIDs"], h.FolderUID) || !matches(q["dashboardUIDs"], h.UID) ||
			!strings.Contains(strings.ToLower(h.Title), strings.ToLower(q.Get("query")))
	})
	slices.SortFunc(hits, func(a, b *models.Hit) int { return strings.Compare(a.Title, b.Title) })
	writeJSON(w, http.StatusOK, models.HitList(pageOf(hits, page, limit)))
}

func (s *Server) hits(kind string) []*models.Hit {
	hits := []*models.Hit{}
	if kind != string(dashDB) {
		for _, f := range s.folders {
			hits = append(hits, &models.Hit{
				ID: f.id, UID: f.UID, Title: f.Title, Type: dashFolder, OrgID: 1,
				URI: "db/" + slug(f.Title), URL: f.URL, Slug: slug(f.Title), Tags: []string{}, FolderUID: f.ParentUID,
			})
		}
	}
	if kind != string(dashFolder) {
		for uid, d := range s.dashboards {
			title, _ := d.Model["title"].(string)
			h := &models.Hit{
				ID: d.Model["id"].(int64), UID: uid, Title: title, Type: dashDB, OrgID: 1,
				URI: "db/" + slug(title), URL: dashboardURL(uid, title), Slug: slug(title), Tags: tags(d.Model),
				FolderUID: d.FolderUID,
			}
			if f := s.folders[d.FolderUID]; f != nil {
				h.FolderTitle, h.FolderURL = f.Title, f.URL
			}
			hits = append(hits, h)
		}
	}
	return hits
}

// matches: an empty filter matches everything.
func matches(filter []string, v string) bool {
	return len(filter) == 0 || slices.Contains(filter, v)
}

func tags(model map[string]any) []string {
	out := []string{}
	raw, _ := model["tags"].([]any)
	for _, t := range raw {
		if s, ok := t.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
