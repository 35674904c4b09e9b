package grafanafake

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/go-openapi/strfmt"
	"github.com/grafana/grafana-openapi-client-go/models"
)

// postDashboard creates or updates a dashboard (POST /api/dashboards/db).
// Grafana sets the model's id and version; without overwrite it refuses a
// uid that exists (version-mismatch) or a title already in the folder
// (name-exists), both 412.
func (s *Server) postDashboard(w http.ResponseWriter, r *http.Request) {
	var cmd models.SaveDashboardCommand
	if err := decode(r, &cmd); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	model, err := copyModel(cmd.Dashboard)
	if err != nil {
		writeError(w, http.StatusBadRequest, "bad request data: dashboard must be a JSON object")
		return
	}
	title, _ := model["title"].(string)
	if strings.TrimSpace(title) == "" {
		writeError(w, http.StatusBadRequest, "Dashboard title cannot be empty")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if cmd.FolderUID != "" && s.folders[cmd.FolderUID] == nil {
		writeError(w, http.StatusBadRequest, "folder not found")
		return
	}
	uid, _ := model["uid"].(string)
	if uid == "" {
		uid = shortUID()
	}
	prev := s.dashboards[uid]
	if prev != nil && !cmd.Overwrite {
		writePrecondition(w, "The dashboard has been changed by someone else", "version-mismatch")
		return
	}
	if other := s.sameTitle(title, cmd.FolderUID, uid); other != "" {
		if !cmd.Overwrite {
			writePrecondition(w, "A dashboard with the same name in the folder already exists", "name-exists")
			return
		}
		delete(s.dashboards, other)
	}
	d := &Dashboard{Model: model, FolderUID: cmd.FolderUID, Version: 1}
	if prev != nil {
		d.Version = prev.Version + 1
		model["id"] = prev.Model["id"]
	} else {
		model["id"] = s.id()
	}
	model["uid"], model["version"] = uid, d.Version
	s.dashboards[uid] = d
	id, status, url := model["id"].(int64), "success", dashboardURL(uid, title)
	writeJSON(w, http.StatusOK, &models.PostDashboardOKBody{
		ID: &id, UID: &uid, Title: &title, URL: &url, Status: &status, Version: &d.Version, FolderUID: cmd.FolderUID,
	})
}

func (s *Server) getDashboard(w http.ResponseWriter, r *http.Request) {
	uid := r.PathValue("uid")
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.dashboards[uid]
	if d == nil {
		writeError(w, http.StatusNotFound, "Dashboard not found")
		return
	}
	title, _ := d.Model["title"].(string)
	now := strfmt.DateTime(time.Now().UTC())
	meta := &models.DashboardMeta{
		Type: "db", Slug: slug(title), URL: dashboardURL(uid, title), Version: d.Version,
		CanSave: true, CanEdit: true, CanAdmin: true, CanDelete: true, CanStar: true,
		Created: now, Updated: now, CreatedBy: "sa-operator", UpdatedBy: "sa-operator",
		FolderUID: d.FolderUID, FolderTitle: "General", FolderURL: "",
	}
	if f := s.folders[d.FolderUID]; f != nil {
		meta.FolderTitle, meta.FolderURL = f.Title, f.URL
	}
	writeJSON(w, http.StatusOK, &models.DashboardFullWithMeta{Dashboard: d.Model, Meta: meta})
}

func (s *Server) deleteDashboard(w http.ResponseWriter, r *http.Request) {
	uid := r.PathValue("uid")
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.dashboards[uid]
	if d == nil {
		writeError(w, http.StatusNotFound, "Dashboard not found")
		return
	}
	delete(s.dashboards, uid)
	title, _ := d.Model["title"].(string)
	msg := "Dashboard " + title + " deleted"
	writeJSON(w, http.StatusOK, &models.DeleteDashboardByUIDOKBody{Message: &msg, Title: &title, UID: &uid})
}

// sameTitle is the uid of another dashboard with title in the folder.
func (s *Server) sameTitle(title, folderUID, uid string) string {
	for other, d := range s.dashboards {
		if other != uid && d.FolderUID == folderUID && strings.EqualFold(d.Model["title"].(string), title) {
			return other
		}
	}
	return ""
}

// copyModel is the received model as a fresh JSON object.
func copyModel(m models.JSON) (map[string]any, error) {
	data, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil || out == nil {
		return nil, errors.New("not a JSON object")
	}
	return out, nil
}

func dashboardURL(uid, title string) string { return "/d/" + uid + "/" + slug(title) }

func writePrecondition(w http.ResponseWriter, message, status string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusPreconditionFailed)
	_ = json.NewEncoder(w).Encode(&models.ErrorResponseBody{Message: &message, Status: status})
}
