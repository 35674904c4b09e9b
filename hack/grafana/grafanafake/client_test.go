package grafanafake_test

import (
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"

	genapi "github.com/grafana/grafana-openapi-client-go/client"
	"github.com/grafana/grafana-openapi-client-go/client/dashboards"
	"github.com/grafana/grafana-openapi-client-go/client/folders"
	"github.com/grafana/grafana-openapi-client-go/client/search"
	"github.com/grafana/grafana-openapi-client-go/models"

	"github.com/vibe-coder-biz/idp/hack/grafana/grafanafake"
)

const token = "glsa_test_token"

// client is Grafana's generated client, configured as the Grafana Operator
// configures it for an external instance with an API key.
func client(t *testing.T, s *grafanafake.Server, key string) *genapi.GrafanaHTTPAPI {
	t.Helper()
	u, err := url.Parse(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	return genapi.NewHTTPClientWithConfig(nil, &genapi.TransportConfig{
		Schemes: []string{u.Scheme}, Host: u.Host, BasePath: "/api", APIKey: key, NumRetries: 0,
	})
}

// notInSpec are the routes the operator calls that Grafana's OpenAPI
// description, and so its client, leave out; TestInstanceChecks covers them.
var notInSpec = []string{"GET /login/ping", "GET /frontend/settings"}

// TestEveryRouteIsAClientOperation: each route the stand-in serves is
// called through the generated client's operation of that method and path,
// whose models decode the answer; a route the client has no operation for
// fails here.
func TestEveryRouteIsAClientOperation(t *testing.T) {
	s := grafanafake.Start(t, token)
	c := client(t, s, token)
	var folderUID string
	dashboard := map[string]any{"uid": "idp-hello", "title": "hello", "tags": []any{"idp"}, "panels": []any{}}
	calls := []struct {
		route string
		call  func() error
	}{
		{"POST /folders", func() error {
			r, err := c.Folders.CreateFolder(&models.CreateFolderCommand{Title: "team-a"})
			if err == nil {
				folderUID = r.Payload.UID
			}
			return err
		}},
		{"GET /folders", func() error {
			r, err := c.Folders.GetFolders(folders.NewGetFoldersParams())
			if err == nil && (len(r.Payload) != 1 || r.Payload[0].UID != folderUID) {
				return errors.New("the created folder is not listed")
			}
			return err
		}},
		{"GET /folders/{folder_uid}", func() error { _, err := c.Folders.GetFolderByUID(folderUID); return err }},
		{"POST /dashboards/db", func() error {
			r, err := c.Dashboards.PostDashboard(&models.SaveDashboardCommand{Dashboard: dashboard, FolderUID: folderUID, Overwrite: true})
			if err == nil && (*r.Payload.UID != "idp-hello" || *r.Payload.Status != "success") {
				return errors.New("unexpected save response")
			}
			return err
		}},
		{"GET /dashboards/uid/{uid}", func() error {
			r, err := c.Dashboards.GetDashboardByUID("idp-hello")
			if err == nil && r.Payload.Meta.FolderUID != folderUID {
				return errors.New("the dashboard is not in its folder")
			}
			return err
		}},
		{"GET /search", func() error {
			kind := "dash-db"
			r, err := c.Search.Search(search.NewSearchParams().WithType(&kind).WithFolderUIDs([]string{folderUID}))
			if err == nil && (len(r.Payload) != 1 || r.Payload[0].UID != "idp-hello") {
				return errors.New("search does not find the dashboard")
			}
			return err
		}},
		{"DELETE /dashboards/uid/{uid}", func() error { _, err := c.Dashboards.DeleteDashboardByUID("idp-hello"); return err }},
		{"DELETE /folders/{folder_uid}", func() error {
			_, err := c.Folders.DeleteFolder(folders.NewDeleteFolderParams().WithFolderUID(folderUID))
			return err
		}},
	}
	var called []string
	for _, cl := range calls {
		if err := cl.call(); err != nil {
			t.Errorf("%s through the client: %v", cl.route, err)
		}
		called = append(called, cl.route)
	}
	for _, r := range s.Routes() {
		if !slices.Contains(called, r) && !slices.Contains(notInSpec, r) {
			t.Errorf("route %s is not called through the client", r)
		}
	}
}

// TestTokenRequired: a wrong or missing token is Grafana's 401 with its
// JSON error body, which the client decodes as the operation's
// Unauthorized response.
func TestTokenRequired(t *testing.T) {
	s := grafanafake.Start(t, token)
	for _, key := range []string{"", "glsa_wrong", token + "x"} {
		_, err := client(t, s, key).Folders.GetFolders(folders.NewGetFoldersParams())
		var unauth *folders.GetFoldersUnauthorized
		if !errors.As(err, &unauth) || unauth.Payload == nil || unauth.Payload.Message == nil || *unauth.Payload.Message != "Unauthorized" {
			t.Errorf("key %q: got %v, want 401 Unauthorized", key, err)
		}
	}
}

// TestNotFound: a missing dashboard or folder is 404, which the operator
// tells apart from other failures by the client's NotFound type.
func TestNotFound(t *testing.T) {
	c := client(t, grafanafake.Start(t, token), token)
	_, err := c.Dashboards.GetDashboardByUID("missing")
	var dnf *dashboards.GetDashboardByUIDNotFound
	if !errors.As(err, &dnf) {
		t.Errorf("GetDashboardByUID: %v, want NotFound", err)
	}
	_, err = c.Folders.DeleteFolder(folders.NewDeleteFolderParams().WithFolderUID("missing"))
	var fnf *folders.DeleteFolderNotFound
	if !errors.As(err, &fnf) {
		t.Errorf("DeleteFolder: %v, want NotFound", err)
	}
}

// TestSaveRules: without overwrite Grafana refuses an existing uid and a
// title taken in the folder (412); Grafana sets id and version; an unknown
// field in the command is a 400.
func TestSaveRules(t *testing.T) {
	s := grafanafake.Start(t, token)
	c := client(t, s, token)
	save := func(m map[string]any, overwrite bool) error {
		_, err := c.Dashboards.PostDashboard(&models.SaveDashboardCommand{Dashboard: m, Overwrite: overwrite})
		return err
	}
	if err := save(map[string]any{"uid": "a", "title": "A"}, false); err != nil {
		t.Fatal(err)
	}
	var pf *dashboards.PostDashboardPreconditionFailed
	if err := save(map[string]any{"uid": "a", "title": "A"}, false); !errors.As(err, &pf) || pf.Payload.Status != "version-mismatch" {
		t.Errorf("same uid without overwrite: %v, want 412 version-mismatch", err)
	}
	if err := save(map[string]any{"uid": "b", "title": "a"}, false); !errors.As(err, &pf) || pf.Payload.Status != "name-exists" {
		t.Errorf("same title without overwrite: %v, want 412 name-exists", err)
	}
	if err := save(map[string]any{"uid": "a", "title": "A", "id": nil}, true); err != nil {
		t.Fatal(err)
	}
	d, _, ok := s.Dashboard("a")
	if !ok || d.Version != 2 || d.Model["version"] != int64(2) || d.Model["id"] != int64(1) {
		t.Errorf("after two saves: %+v, want id 1 and version 2", d)
	}
	if err := save(map[string]any{"uid": "c"}, true); err == nil || !strings.Contains(err.Error(), "400") {
		t.Errorf("untitled dashboard: %v, want 400", err)
	}
}
