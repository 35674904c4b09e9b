package grafanafake

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/go-openapi/strfmt"
	"github.com/grafana/grafana-openapi-client-go/models"
)

// getFolders lists the folders under parentUid (the top level without
// it), by title, a page at a time.
func (s *Server) getFolders(w http.ResponseWriter, r *http.Request) {
	page, limit, ok := paging(w, r, 1000)
	if !ok {
		return
	}
	parent := r.URL.Query().Get("parentUid")
	s.mu.Lock()
	hits := []*models.FolderSearchHit{}
	for _, f := range s.folders {
		if f.ParentUID == parent {
			hits = append(hits, &models.FolderSearchHit{ID: f.id, UID: f.UID, Title: f.Title, ParentUID: f.ParentUID})
		}
	}
	s.mu.Unlock()
	slices.SortFunc(hits, func(a, b *models.FolderSearchHit) int { return strings.Compare(a.Title, b.Title) })
	writeJSON(w, http.StatusOK, pageOf(hits, page, limit))
}

// createFolder creates a folder; Grafana answers 200 with the folder, and
// 409 when its uid is taken.
func (s *Server) createFolder(w http.ResponseWriter, r *http.Request) {
	var cmd models.CreateFolderCommand
	if err := decode(r, &cmd); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if strings.TrimSpace(cmd.Title) == "" {
		writeError(w, http.StatusBadRequest, "folder title cannot be empty")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if cmd.ParentUID != "" && s.folders[cmd.ParentUID] == nil {
		writeError(w, http.StatusNotFound, "folder not found")
		return
	}
	uid := cmd.UID
	if uid == "" {
		uid = shortUID()
	}
	if s.folders[uid] != nil || s.dashboards[uid] != nil {
		writeError(w, http.StatusConflict, "a folder with the same uid already exists")
		return
	}
	now := strfmt.DateTime(time.Now().UTC())
	f := &folder{id: s.id(), Folder: &models.Folder{
		UID: uid, Title: cmd.Title, ParentUID: cmd.ParentUID, OrgID: 1, Version: 1,
		URL: "/dashboards/f/" + uid + "/" + slug(cmd.Title), Created: now, Updated: now,
		CanAdmin: true, CanDelete: true, CanEdit: true, CanSave: true, CreatedBy: "sa-operator", UpdatedBy: "sa-operator",
		Parents: []*models.Folder{},
	}}
	s.folders[uid] = f
	writeJSON(w, http.StatusOK, f.Folder)
}

func (s *Server) getFolder(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	f := s.folders[r.PathValue("folder_uid")]
	s.mu.Unlock()
	if f == nil {
		writeError(w, http.StatusNotFound, "folder not found")
		return
	}
	writeJSON(w, http.StatusOK, f.Folder)
}

// deleteFolder deletes a folder with the dashboards in it, as Grafana does.
func (s *Server) deleteFolder(w http.ResponseWriter, r *http.Request) {
	uid := r.PathValue("folder_uid")
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.folders[uid]
	if f == nil {
		writeError(w, http.StatusNotFound, "folder not found")
		return
	}
	for duid, d := range s.dashboards {
		if d.FolderUID == uid {
			delete(s.dashboards, duid)
		}
	}
	delete(s.folders, uid)
	msg := "Folder " + f.Title + " deleted"
	writeJSON(w, http.StatusOK, &models.DeleteFolderOKBody{ID: &f.id, Message: &msg, Title: &f.Title})
}
