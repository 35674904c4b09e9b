package gitlabfake

import (
	"crypto/subtle"
	"net/http"
	"net/http/cgi"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Git serves clones of the bare repositories under root (one per project,
// at <path_with_namespace>.git, as http_url_to_repo names them) with git's
// own smart HTTP backend, the way GitLab serves a private project: only
// reads (git-upload-pack), and only with HTTP Basic credentials whose
// password is one of tokens (GitLab accepts any user name with a personal,
// project or group access token). Without them the answer is 401 with
// GitLab's Basic challenge, so git asks its credential helpers; a wrong
// token is 401 too, and an unknown repository 404 only once authenticated,
// so that nothing tells a stranger which projects exist.
func (f *Fake) Git(root string, tokens ...string) http.Handler {
	execPath, _ := exec.Command("git", "--exec-path").Output()
	backend := &cgi.Handler{
		Path: filepath.Join(strings.TrimSpace(string(execPath)), "git-http-backend"),
		Env:  []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1"},
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.count("git "+gitService(r), r)
		if !gitAuthorized(r, tokens) {
			w.Header().Set("WWW-Authenticate", `Basic realm="GitLab"`)
			http.Error(w, "HTTP Basic: Access denied", http.StatusUnauthorized)
			return
		}
		if gitService(r) != "git-upload-pack" {
			http.Error(w, "You are not allowed to push code to this project.", http.StatusForbidden)
			return
		}
		repo, _, ok := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), ".git/")
		if !ok || !isDir(filepath.Join(root, filepath.Clean("/"+repo)+".git")) {
			http.Error(w, "The project you were looking for could not be found or you don't have permission to view it.", http.StatusNotFound)
			return
		}
		backend.ServeHTTP(w, r)
	})
}

// gitService names what a smart HTTP request asks for: the service query
// parameter of the ref advertisement, or the last path segment of the RPC.
func gitService(r *http.Request) string {
	if s := r.URL.Query().Get("service"); s != "" {
		return s
	}
	return filepath.Base(r.URL.Path)
}

func gitAuthorized(r *http.Request, tokens []string) bool {
	_, password, ok := r.BasicAuth()
	if !ok || password == "" {
		return false
	}
	for _, t := range tokens {
		if subtle.ConstantTimeCompare([]byte(password), []byte(t)) == 1 {
			return true
		}
	}
	return false
}

func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}
