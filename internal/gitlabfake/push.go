package gitlabfake

import (
	"bufio"
	"bytes"
	"crypto/subtle"
	"fmt"
	"io"
	"net/http"
	"net/http/cgi"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Git smart HTTP for the projects the API creates (Options.GitRoot), with
// GitLab's authentication and authorization: HTTP Basic with any user name
// and a personal or project access token as password, or a deploy token
// with its own user name; reads need read_repository (or api), pushes
// write_repository (or api) and at least Developer; protected branches are
// enforced by a pre-receive hook that words its refusals as GitLab does.

const (
	msgNotFound     = "The project you were looking for could not be found or you don't have permission to view it."
	msgAuthDownload = "You are not allowed to download code."
	msgAuthUpload   = "You are not allowed to upload code."
	msgPushCode     = "You are not allowed to push code to this project."
)

// preReceive is installed in every bare repository. The fake passes the
// pusher's access level and the project's protections in the environment;
// git prints what the hook writes to stderr as "remote: ...".
const preReceive = `#!/bin/sh
z=0000000000000000000000000000000000000000
refuse() { echo "GitLab: $1" >&2; exit 1; }
while read -r old new ref; do
	branch=${ref#refs/heads/}
	[ "$branch" = "$ref" ] && continue
	if [ "$new" = $z ] && [ "$branch" = "$GL_FAKE_DEFAULT_BRANCH" ]; then
		refuse "The default branch of a project cannot be deleted."
	fi
	rule=$(printf '%s' "$GL_FAKE_PROTECTED" | while IFS='	' read -r pattern push force; do
		case $branch in $pattern) echo "$push $force"; break ;; esac
	done)
	[ -z "$rule" ] && continue
	set -- $rule
	if [ "$new" = $z ]; then
		refuse "You can only delete protected branches using the web interface."
	fi
	if [ "$old" != $z ] && [ "$2" != true ] && ! git merge-base --is-ancestor "$old" "$new"; then
		refuse "You are not allowed to force push code to a protected branch on this project."
	fi
	if [ "$1" = 0 ] || [ "$GL_FAKE_ACCESS_LEVEL" -lt "$1" ]; then
		[ "$old" = $z ] && refuse "You are not allowed to create protected branches on this project."
		refuse "You are not allowed to push code to protected branches on this project."
	fi
done
`

// initRepo makes the project's bare repository; callers hold f.mu.
func (f *Fake) initRepo(p *project) error {
	if f.opts.GitRoot == "" {
		return nil
	}
	dir := filepath.Join(f.opts.GitRoot, strconv.FormatInt(p.id, 10)+".git")
	for _, args := range [][]string{
		{"init", "-q", "--bare", "-b", p.defaultBranch, dir},
		{"-C", dir, "config", "http.receivepack", "true"},
	} {
		if out, err := exec.Command("git", args...).CombinedOutput(); err != nil {
			return fmt.Errorf("gitlabfake: git %v: %v: %s", args, err, out)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "hooks", "pre-receive"), []byte(preReceive), 0o755); err != nil {
		return err
	}
	p.repo = dir
	return nil
}

// gitPath splits "/gitops/app.git/info/refs" into the project path and the
// rest; ok is false for anything that is not a git smart HTTP URL.
func gitPath(urlPath string) (project, rest string, ok bool) {
	project, rest, ok = strings.Cut(strings.TrimPrefix(urlPath, "/"), ".git/")
	if !ok || strings.HasPrefix(urlPath, "/api/") || strings.HasPrefix(urlPath, "/-/") {
		return "", "", false
	}
	switch rest {
	case "info/refs", "git-upload-pack", "git-receive-pack":
		return project, rest, true
	}
	return "", "", false
}

// gitCaller authenticates HTTP Basic credentials the way Gitlab::Auth does:
// the main or an access token with any user name, or a deploy token whose
// user name matches. ok is false for absent or dead credentials.
func (f *Fake) gitCaller(r *http.Request) (*token, bool) {
	username, password, ok := r.BasicAuth()
	if !ok || password == "" {
		return nil, false
	}
	if f.opts.Token != "" && subtle.ConstantTimeCompare([]byte(password), []byte(f.opts.Token)) == 1 {
		return f.main, true
	}
	t, ok := f.tokens[password]
	if !ok || !t.active(f.now()) || t.deploy && t.username != username {
		return nil, false
	}
	return t, true
}

// serveGit answers one git smart HTTP request for a project's repository.
func (f *Fake) serveGit(w http.ResponseWriter, r *http.Request, path string) {
	service := gitService(r)
	push := service == "git-receive-pack"
	f.mu.RLock()
	t, authed := f.gitCaller(r)
	p := f.projBy[strings.ToLower(path)]
	var env []string
	status, msg := f.gitAccess(t, authed, p, push)
	if status == 0 {
		env = []string{
			"GIT_PROJECT_ROOT=" + f.opts.GitRoot, "GIT_HTTP_EXPORT_ALL=1",
			"GL_FAKE_ACCESS_LEVEL=" + strconv.Itoa(f.accessLevel(t, p)),
			"GL_FAKE_DEFAULT_BRANCH=" + p.defaultBranch, "GL_FAKE_PROTECTED=" + p.rules(),
		}
	}
	f.mu.RUnlock()
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="GitLab"`)
	}
	if status != 0 {
		http.Error(w, msg, status)
		return
	}
	r2 := r.Clone(r.Context())
	_, rest, _ := gitPath(r.URL.Path)
	r2.URL.Path = "/" + filepath.Base(p.repo) + "/" + rest
	backend := &cgi.Handler{Path: gitBackend(), Env: env}
	if !push || r.Method != http.MethodPost {
		backend.ServeHTTP(w, r2)
		return
	}
	f.gitMu.Lock()
	defer f.gitMu.Unlock()
	backend.ServeHTTP(w, r2)
	if err := f.syncFromGit(p); err != nil {
		fmt.Fprintf(os.Stderr, "gitlabfake: reading push into project %d: %v\n", p.id, err)
	}
}

// gitAccess is Gitlab::GitAccess in order: authentication, then the project
// (404 so that strangers learn nothing), then the token's abilities, then
// the role. status 0 means go ahead.
func (f *Fake) gitAccess(t *token, authed bool, p *project, push bool) (int, string) {
	anonymousRead := !authed && !push && p != nil && p.repo != "" && p.visibility == "public"
	switch {
	case anonymousRead:
		return 0, ""
	case !authed:
		return http.StatusUnauthorized, "HTTP Basic: Access denied"
	case p == nil || p.repo == "" || f.accessLevel(t, p) == accessNone && p.visibility != "public":
		return http.StatusNotFound, msgNotFound
	// As Gitlab::Auth#abilities_for_scopes: write_repository downloads too.
	case !push && !t.has("read_repository") && !t.has("write_repository") && !t.has("api"):
		return http.StatusForbidden, msgAuthDownload
	case push && (t.deploy || !t.has("write_repository") && !t.has("api")):
		return http.StatusForbidden, msgAuthUpload
	case push && f.accessLevel(t, p) < accessDeveloper:
		return http.StatusForbidden, msgPushCode
	}
	return 0, ""
}

func gitBackend() string {
	execPath, _ := exec.Command("git", "--exec-path").Output()
	return filepath.Join(strings.TrimSpace(string(execPath)), "git-http-backend")
}

// syncFromGit makes the branches git now holds the project's state: each
// moved branch tip is recorded as one commit with git's own SHA, author,
// message and tree, so the file API, GraphQL and webhooks see the push.
func (f *Fake) syncFromGit(p *project) error {
	refs, err := gitOutput(p.repo, "for-each-ref", "--format=%(refname:short) %(objectname)", "refs/heads")
	if err != nil {
		return err
	}
	tips := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(refs), "\n") {
		if name, sha, ok := strings.Cut(line, " "); ok {
			tips[name] = sha
		}
	}
	read := map[string]*commit{}
	for name, sha := range tips {
		f.mu.RLock()
		cur := p.branches[name]
		f.mu.RUnlock()
		if cur != nil && cur.sha == sha {
			continue
		}
		c, err := readGitCommit(p.repo, sha)
		if err != nil {
			return err
		}
		read[name] = c
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.projects[p.id] != p {
		return nil // removed meanwhile
	}
	if err := f.adoptFirstBranch(p, tips); err != nil {
		return err
	}
	for name := range p.branches {
		if _, ok := tips[name]; !ok {
			delete(p.branches, name)
			p.version++
		}
	}
	for name, c := range read {
		f.recordCommit(p, name, c)
		if name == p.defaultBranch {
			f.protectDefaultBranch(p)
		}
	}
	f.lists.invalidate()
	return nil
}

// adoptFirstBranch does what GitLab does when the first push to an empty
// project does not carry its default branch: the pushed branch becomes the
// default (Gitaly reports it as HEAD; Git::BranchHooksService stores it).
// With several, main or master wins, then the first by name.
func (f *Fake) adoptFirstBranch(p *project, tips map[string]string) error {
	if len(p.branches) > 0 || len(tips) == 0 || tips[p.defaultBranch] != "" {
		return nil
	}
	names := make([]string, 0, len(tips))
	for name := range tips {
		names = append(names, name)
	}
	sort.Strings(names)
	pick := names[0]
	for _, pref := range []string{"master", "main"} {
		if tips[pref] != "" {
			pick = pref
		}
	}
	if _, err := gitOutput(p.repo, "symbolic-ref", "HEAD", "refs/heads/"+pick); err != nil {
		return err
	}
	p.defaultBranch = pick
	return nil
}

// recordCommit links a commit read from git onto the branch's previous tip
// in the fake (or its git parent, when the fake knows it).
func (f *Fake) recordCommit(p *project, branch string, c *commit) {
	parent := p.branches[branch]
	if known, ok := p.commits[c.parentSHA()]; ok {
		parent = known
	}
	if parent == nil {
		parent = p.head()
	}
	c.parent = parent
	c.lastChange = map[string]*commit{}
	for path, b := range c.files {
		old, existed := (*blob)(nil), false
		if parent != nil {
			old, existed = parent.files[path]
		}
		switch {
		case !existed:
			c.added = append(c.added, path)
			c.lastChange[path] = c
		case old.id != b.id:
			c.modified = append(c.modified, path)
			c.lastChange[path] = c
		default:
			c.lastChange[path] = parent.lastChange[path]
		}
	}
	if parent != nil {
		for path := range parent.files {
			if _, ok := c.files[path]; !ok {
				c.removed = append(c.removed, path)
			}
		}
	}
	sortStrings(c.added, c.modified, c.removed)
	p.branches[branch] = c
	p.commits[c.sha] = c
	if f.opts.ActivityThrottle == 0 || !c.time.Before(p.lastActivityAt.Add(f.opts.ActivityThrottle)) {
		p.lastActivityAt = c.time
	}
	p.updatedAt = c.time
	p.version++
}

// readGitCommit reads a commit's metadata and its whole tree.
func readGitCommit(repo, sha string) (*commit, error) {
	meta, err := gitOutput(repo, "log", "-1", "--format=%an%x00%ae%x00%at%x00%P%x00%B", sha)
	if err != nil {
		return nil, err
	}
	fields := strings.SplitN(meta, "\x00", 5)
	if len(fields) != 5 {
		return nil, fmt.Errorf("unexpected git log output %q", meta)
	}
	secs, _ := strconv.ParseInt(fields[2], 10, 64)
	c := &commit{
		sha: sha, authorName: fields[0], authorEmail: fields[1],
		time:    time.Unix(secs, 0).UTC(),
		message: strings.TrimRight(fields[4], "\n"),
		files:   map[string]*blob{},
	}
	c.title, _, _ = strings.Cut(c.message, "\n")
	c.gitParent, _, _ = strings.Cut(fields[3], " ")
	tree, err := gitOutput(repo, "ls-tree", "-r", "-z", "--full-tree", sha)
	if err != nil {
		return nil, err
	}
	var paths, ids []string
	for _, entry := range strings.Split(tree, "\x00") {
		head, path, ok := strings.Cut(entry, "\t")
		if parts := strings.Fields(head); ok && len(parts) == 3 && parts[1] == "blob" {
			paths, ids = append(paths, path), append(ids, parts[2])
		}
	}
	blobs, err := catBlobs(repo, ids)
	if err != nil {
		return nil, err
	}
	for i, path := range paths {
		c.files[path] = newBlob(blobs[i])
	}
	return c, nil
}

// catBlobs reads blobs in one git cat-file --batch.
func catBlobs(repo string, ids []string) ([][]byte, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	cmd := exec.Command("git", "-C", repo, "cat-file", "--batch")
	cmd.Stdin = strings.NewReader(strings.Join(ids, "\n") + "\n")
	out, err := cmd.Output()
	if err != nil {
		return nil, err
	}
	rd := bufio.NewReader(bytes.NewReader(out))
	blobs := make([][]byte, len(ids))
	for i := range ids {
		header, err := rd.ReadString('\n')
		if err != nil {
			return nil, err
		}
		fields := strings.Fields(header)
		if len(fields) != 3 {
			return nil, fmt.Errorf("cat-file: %q", header)
		}
		n, _ := strconv.Atoi(fields[2])
		blobs[i] = make([]byte, n)
		if _, err := io.ReadFull(rd, blobs[i]); err != nil {
			return nil, err
		}
		if _, err := rd.Discard(1); err != nil { // the newline after each object
			return nil, err
		}
	}
	return blobs, nil
}

func gitOutput(repo string, args ...string) (string, error) {
	out, err := exec.Command("git", append([]string{"-C", repo}, args...)...).Output()
	if err != nil {
		return "", fmt.Errorf("git %v: %w", args, err)
	}
	return string(out), nil
}

// GitLog lists "<sha> <subject>" of the project's default branch in its git
// repository, newest first, for tests that check what a push left behind.
func (f *Fake) GitLog(projectID int64) ([]string, error) {
	f.mu.RLock()
	p, ok := f.projects[projectID]
	var repo, branch string
	if ok {
		repo, branch = p.repo, p.defaultBranch
	}
	f.mu.RUnlock()
	if repo == "" {
		return nil, fmt.Errorf("gitlabfake: project %d has no git repository", projectID)
	}
	out, err := gitOutput(repo, "log", "--format=%H %s", "refs/heads/"+branch, "--")
	if err != nil {
		return []string{}, nil // an empty repository has no log
	}
	return strings.Split(strings.TrimSpace(out), "\n"), nil
}
