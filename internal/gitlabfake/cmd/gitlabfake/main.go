// Command gitlabfake serves the GitLab API fake on a local address for
// callers that are not Go tests, such as the end-to-end script.
//
//	gitlabfake -listen 127.0.0.1:8929 -token glpat-test -fixture fixture.json \
//	    -group apps -group gitops -gitlab-com
//
// It prints the base URL on stdout once listening. Every project (made
// through POST /api/v4/projects, the fixture or the control API) is a bare
// repository under -git-root (a temporary directory by default), served for
// clone and push at <full_path>.git with HTTP Basic and a token.
// -token is the bot user's token (GET /api/v4/user answers backstage-bot);
// -group creates private groups the bot owns; -gitlab-com applies
// gitlab.com's rules (internal visibility restricted, token expiry required
// and at most 365 days away).
//
// Besides the GitLab API under /api/v4/, it offers a small control API under
// /-/fake/ (JSON in and out, never counted as GitLab requests):
//
//	POST   /-/fake/projects        ProjectSpec            → Project
//	DELETE /-/fake/projects/{id}
//	POST   /-/fake/projects/{id}/commit   CommitSpec      → {"sha", "push_event"}
//	POST   /-/fake/projects/{id}/archive  {"archived": b}
//	GET    /-/fake/projects/{id}/push-event               → Push Hook payload
//	GET    /-/fake/requests                               → {"total", "by_endpoint", "unmatched"}
//	DELETE /-/fake/requests
//	POST   /-/fake/faults          fault (durations as "2s") ; DELETE clears
//	PUT    /-/fake/rate-limit      {"requests_per_minute": n}
//	GET    /-/fake/projects/{id}/git-log                  → ["<sha> <subject>", ...] newest first
//	POST   /-/fake/users           {"username"}            → {"id", "token"} (a personal access token)
//	POST   /-/fake/groups/{path}/members {"user_id", "access_level"}
//
// {id} is a numeric project id or a URL-encoded path.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/vibe-coder-biz/idp/internal/gitlabfake"
)

func main() {
	f, listen, baseURL, err := setup(os.Args[1:])
	if err != nil {
		log.Fatal(err)
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		log.Fatal(err)
	}
	base := baseURL
	if base == "" {
		base = "http://" + ln.Addr().String()
	}
	f.SetBaseURL(base)
	fmt.Println(base)
	srv := &http.Server{Handler: newMux(f), ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(srv.Serve(ln))
}

// setup parses the flags and builds the fake they describe.
func setup(args []string) (f *gitlabfake.Fake, listen, baseURL string, err error) {
	fs := flag.NewFlagSet("gitlabfake", flag.ContinueOnError)
	fs.StringVar(&listen, "listen", "127.0.0.1:8929", "address to listen on (loopback by default)")
	token := fs.String("token", "", "the bot user's access token, required on every request; empty disables authentication")
	fixture := fs.String("fixture", "", "JSON fixture file to load at start")
	fs.StringVar(&baseURL, "base-url", "", "external base URL for payload links; default http://<listen address>")
	gitRoot := fs.String("git-root", "", "directory for the bare repositories of created projects; default a new temporary directory")
	gitlabCom := fs.Bool("gitlab-com", false, "apply gitlab.com's rules where they differ from self-managed defaults")
	var groups []string
	fs.Func("group", "private group to create at start, owned by the bot (repeatable)", func(g string) error {
		groups = append(groups, g)
		return nil
	})
	if err := fs.Parse(args); err != nil {
		return nil, "", "", err
	}
	if *gitRoot == "" {
		if *gitRoot, err = os.MkdirTemp("", "gitlabfake-git-"); err != nil {
			return nil, "", "", err
		}
	}
	f = gitlabfake.New(gitlabfake.Options{Token: *token, GitRoot: *gitRoot, GitLabCom: *gitlabCom})
	for _, g := range groups {
		f.AddGroup(g)
		f.SetGroupVisibility(g, "private")
	}
	if *fixture != "" {
		file, err := os.Open(*fixture)
		if err != nil {
			return nil, "", "", err
		}
		fx, err := gitlabfake.ReadFixture(file)
		file.Close()
		if err != nil {
			return nil, "", "", err
		}
		f.Load(fx)
	}
	return f, listen, baseURL, nil
}

// newMux serves the control API and hands everything else to the fake
// untouched: ServeMux would clean paths, and GitLab paths carry %2F.
func newMux(f *gitlabfake.Fake) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /-/fake/projects", func(w http.ResponseWriter, r *http.Request) {
		var spec gitlabfake.ProjectSpec
		if !decode(w, r, &spec) {
			return
		}
		if _, dup := f.ProjectByPath(spec.Namespace + "/" + spec.Path); dup || spec.Namespace == "" || spec.Path == "" {
			http.Error(w, "namespace and path required and unused", http.StatusBadRequest)
			return
		}
		reply(w, f.AddProject(spec))
	})
	mux.HandleFunc("DELETE /-/fake/projects/{id}", withProject(f, func(w http.ResponseWriter, _ *http.Request, p gitlabfake.Project) {
		f.DeleteProject(p.ID)
		w.WriteHeader(http.StatusNoContent)
	}))
	mux.HandleFunc("POST /-/fake/projects/{id}/commit", withProject(f, func(w http.ResponseWriter, r *http.Request, p gitlabfake.Project) {
		var c gitlabfake.CommitSpec
		if !decode(w, r, &c) {
			return
		}
		sha := f.CommitOn(p.ID, c)
		reply(w, map[string]any{"sha": sha, "push_event": json.RawMessage(f.PushEvent(p.ID))})
	}))
	mux.HandleFunc("POST /-/fake/projects/{id}/archive", withProject(f, func(w http.ResponseWriter, r *http.Request, p gitlabfake.Project) {
		var body struct {
			Archived bool `json:"archived"`
		}
		if !decode(w, r, &body) {
			return
		}
		f.Archive(p.ID, body.Archived)
		w.WriteHeader(http.StatusNoContent)
	}))
	mux.HandleFunc("GET /-/fake/projects/{id}/push-event", withProject(f, func(w http.ResponseWriter, _ *http.Request, p gitlabfake.Project) {
		if p.HeadSHA == "" {
			http.Error(w, "project has no commits", http.StatusConflict)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(f.PushEvent(p.ID))
	}))
	mux.HandleFunc("GET /-/fake/projects/{id}/git-log", withProject(f, func(w http.ResponseWriter, _ *http.Request, p gitlabfake.Project) {
		lines, err := f.GitLog(p.ID)
		if err != nil {
			http.Error(w, err.Error(), http.StatusConflict)
			return
		}
		reply(w, lines)
	}))
	mux.HandleFunc("POST /-/fake/users", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Username string `json:"username"`
		}
		if !decode(w, r, &body) {
			return
		}
		id, tok := f.AddUser(body.Username)
		reply(w, map[string]any{"id": id, "token": tok})
	})
	mux.HandleFunc("POST /-/fake/groups/{path}/members", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			UserID      int64 `json:"user_id"`
			AccessLevel int   `json:"access_level"`
		}
		if !decode(w, r, &body) {
			return
		}
		if !f.HasUser(body.UserID) {
			http.Error(w, "no such user", http.StatusNotFound)
			return
		}
		f.AddGroupMember(r.PathValue("path"), body.UserID, body.AccessLevel)
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /-/fake/requests", func(w http.ResponseWriter, _ *http.Request) {
		reply(w, map[string]any{"total": f.TotalRequests(), "by_endpoint": f.Requests(), "unmatched": f.UnmatchedRequests()})
	})
	mux.HandleFunc("DELETE /-/fake/requests", func(w http.ResponseWriter, _ *http.Request) {
		f.ResetCounts()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /-/fake/faults", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Method, Path, Endpoint string
			Status                 int
			RetryAfter             string `json:"retry_after"`
			Delay                  string
			Body                   string
			Times                  int
		}
		if !decode(w, r, &in) {
			return
		}
		fault := gitlabfake.Fault{Method: in.Method, Path: in.Path, Endpoint: in.Endpoint, Status: in.Status, Body: in.Body, Times: in.Times}
		for _, d := range []struct {
			s   string
			dst *time.Duration
		}{{in.RetryAfter, &fault.RetryAfter}, {in.Delay, &fault.Delay}} {
			if d.s == "" {
				continue
			}
			v, err := time.ParseDuration(d.s)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			*d.dst = v
		}
		f.Inject(fault)
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("DELETE /-/fake/faults", func(w http.ResponseWriter, _ *http.Request) {
		f.ClearFaults()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("PUT /-/fake/rate-limit", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			RPM int `json:"requests_per_minute"`
		}
		if !decode(w, r, &body) {
			return
		}
		f.SetRateLimit(body.RPM)
		w.WriteHeader(http.StatusNoContent)
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/-/fake/") {
			mux.ServeHTTP(w, r)
			return
		}
		f.ServeHTTP(w, r)
	})
}

func withProject(f *gitlabfake.Fake, h func(http.ResponseWriter, *http.Request, gitlabfake.Project)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		var p gitlabfake.Project
		var ok bool
		if n, err := strconv.ParseInt(id, 10, 64); err == nil {
			p, ok = f.Project(n)
		} else {
			p, ok = f.ProjectByPath(id)
		}
		if !ok {
			http.Error(w, "no such project", http.StatusNotFound)
			return
		}
		h(w, r, p)
	}
}

func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return false
	}
	return true
}

func reply(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
