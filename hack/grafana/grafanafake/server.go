// Package grafanafake is a Grafana HTTP API for tests: the calls the Grafana
// Operator makes on an external Grafana to load a dashboard into a folder
// (the instance checks, folders, search, dashboards), in memory, on
// loopback. Grafana's module is not served here and its OpenAPI description
// ships with no Go module, so every request body is decoded strictly into,
// and every response written from, the models of Grafana's generated client
// (github.com/grafana/grafana-openapi-client-go), which are generated from
// that description; the package's tests drive each route through that
// client.
package grafanafake

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/grafana/grafana-openapi-client-go/models"
)

// Version is the Grafana version the instance reports.
const Version = "12.3.1"

// Server is one Grafana organisation that a single service account token
// may use.
type Server struct {
	URL   string // the instance's root URL, as a Grafana resource's spec.external.url
	token string

	mu         sync.Mutex
	nextID     int64
	folders    map[string]*folder    // by uid
	dashboards map[string]*Dashboard // by uid
}

// folder is a folder and the numeric id Grafana still gives it (the model
// marks its id field deprecated, so the stand-in keeps it beside).
type folder struct {
	*models.Folder
	id int64
}

// Dashboard is a saved dashboard as Grafana stores it.
type Dashboard struct {
	Model     map[string]any // the JSON model saved, with the id and version Grafana sets
	FolderUID string
	Version   int64
}

// Start serves a new, empty instance until the test ends; requests must
// carry token as a bearer token.
func Start(t testing.TB, token string) *Server {
	t.Helper()
	s := New(token)
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	s.URL = ts.URL
	return s
}

// New returns an empty instance; Handler serves it.
func New(token string) *Server {
	return &Server{token: token, folders: map[string]*folder{}, dashboards: map[string]*Dashboard{}}
}

// route is one operation of Grafana's HTTP API: its method and its path
// pattern in the OpenAPI description (base path /api), and its handler.
type route struct {
	Method, Path string
	handle       http.HandlerFunc
}

func (s *Server) routes() []route {
	return []route{
		{"GET", "/login/ping", s.loginPing},
		{"GET", "/frontend/settings", s.frontendSettings},
		{"GET", "/folders", s.getFolders},
		{"POST", "/folders", s.createFolder},
		{"GET", "/folders/{folder_uid}", s.getFolder},
		{"DELETE", "/folders/{folder_uid}", s.deleteFolder},
		{"GET", "/search", s.search},
		{"POST", "/dashboards/db", s.postDashboard},
		{"GET", "/dashboards/uid/{uid}", s.getDashboard},
		{"DELETE", "/dashboards/uid/{uid}", s.deleteDashboard},
	}
}

// Routes lists the operations served, as "METHOD /path" in the OpenAPI
// description's terms.
func (s *Server) Routes() []string {
	var out []string
	for _, r := range s.routes() {
		out = append(out, r.Method+" "+r.Path)
	}
	return out
}

// Handler serves the API under /api, every route behind the token.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	for _, r := range s.routes() {
		mux.Handle(r.Method+" /api"+r.Path, s.authenticated(r.handle))
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, http.StatusNotFound, "Not found")
	})
	return mux
}

// Dashboard returns the saved dashboard with uid and its folder's title.
func (s *Server) Dashboard(uid string) (d Dashboard, folderTitle string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	saved, ok := s.dashboards[uid]
	if !ok {
		return Dashboard{}, "", false
	}
	if f := s.folders[saved.FolderUID]; f != nil {
		folderTitle = f.Title
	}
	return *saved, folderTitle, true
}

func (s *Server) id() int64 {
	s.nextID++
	return s.nextID
}
