package gitlabfake

import (
	"encoding/base64"
	"net/http"
	"path"
	"strconv"
	"strings"
)

// fileLookup resolves project, ref and path for the repository files API,
// answering the error itself when one is missing. Like lib/api/files.rb it
// validates ref before touching the project, then 404s with "Project",
// "Commit" or "File".
func (f *Fake) fileLookup(rq *request, refRequired bool) (*project, *commit, *blob, string, bool) {
	ref := rq.q.Get("ref")
	switch {
	case refRequired && !rq.q.Has("ref"):
		writeError(rq.w, http.StatusBadRequest, "ref is missing")
		return nil, nil, nil, "", false
	case rq.q.Has("ref") && ref == "":
		writeError(rq.w, http.StatusBadRequest, "ref is empty")
		return nil, nil, nil, "", false
	}
	p := f.findProject(rq.args[0])
	if p == nil {
		notFound(rq.w, "Project")
		return nil, nil, nil, "", false
	}
	c := p.resolveRef(ref)
	if c == nil {
		notFound(rq.w, "Commit")
		return nil, nil, nil, "", false
	}
	filePath := rq.args[1]
	b := c.files[filePath]
	if b == nil {
		notFound(rq.w, "File")
		return nil, nil, nil, "", false
	}
	return p, c, b, filePath, true
}

// setFileHeaders mirrors set_http_headers(blob_data): every blob_data field
// as an X-Gitlab-* header, which is all a HEAD request returns.
func setFileHeaders(rq *request, c *commit, b *blob, filePath string) {
	h := rq.w.Header()
	h.Set("X-Gitlab-Blob-Id", b.id)
	h.Set("X-Gitlab-Commit-Id", c.sha)
	h.Set("X-Gitlab-Content-Sha256", b.sha256)
	h.Set("X-Gitlab-Encoding", "base64")
	h.Set("X-Gitlab-Execute-Filemode", "false")
	h.Set("X-Gitlab-File-Name", path.Base(filePath))
	h.Set("X-Gitlab-File-Path", filePath)
	h.Set("X-Gitlab-Last-Commit-Id", c.lastChange[filePath].sha)
	h.Set("X-Gitlab-Ref", rq.q.Get("ref"))
	h.Set("X-Gitlab-Size", strconv.Itoa(len(b.data)))
}

type fileJSON struct {
	FileName        string `json:"file_name"`
	FilePath        string `json:"file_path"`
	Size            int    `json:"size"`
	Encoding        string `json:"encoding"`
	ContentSHA256   string `json:"content_sha256"`
	Ref             string `json:"ref"`
	BlobID          string `json:"blob_id"`
	CommitID        string `json:"commit_id"`
	LastCommitID    string `json:"last_commit_id"`
	ExecuteFilemode bool   `json:"execute_filemode"`
	Content         string `json:"content"`
}

// getFile serves GET and HEAD /projects/:id/repository/files/:file_path.
func (f *Fake) getFile(rq *request) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	_, c, b, filePath, ok := f.fileLookup(rq, true)
	if !ok {
		return
	}
	setFileHeaders(rq, c, b, filePath)
	if rq.r.Method == http.MethodHead {
		rq.w.Header().Set("Content-Type", "application/json")
		rq.w.WriteHeader(http.StatusOK)
		return
	}
	writeJSON(rq.w, http.StatusOK, fileJSON{
		FileName:      path.Base(filePath),
		FilePath:      filePath,
		Size:          len(b.data),
		Encoding:      "base64",
		ContentSHA256: b.sha256,
		Ref:           rq.q.Get("ref"),
		BlobID:        b.id,
		CommitID:      c.sha,
		LastCommitID:  c.lastChange[filePath].sha,
		Content:       base64.StdEncoding.EncodeToString(b.data),
	})
}

// getRawFile serves GET and HEAD /projects/:id/repository/files/:file_path/raw,
// where ref is optional and defaults to HEAD.
func (f *Fake) getRawFile(rq *request) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	_, c, b, filePath, ok := f.fileLookup(rq, false)
	if !ok {
		return
	}
	setFileHeaders(rq, c, b, filePath)
	h := rq.w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(b.data)))
	h.Set("Cache-Control", "no-cache")
	rq.w.WriteHeader(http.StatusOK)
	if rq.r.Method != http.MethodHead {
		_, _ = rq.w.Write(b.data)
	}
}

type treeEntryJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Type string `json:"type"`
	Path string `json:"path"`
	Mode string `json:"mode"`
}

// listTree serves GET /projects/:id/repository/tree. Entries come as GitLab
// orders them (trees first, then blobs, each by path). A ref or path that does
// not exist, or a path naming a file, is 404 "Tree Not Found", which is what
// GitLab 17.7+ answers and what Argo CD's SCM provider relies on.
func (f *Fake) listTree(rq *request) {
	pg, ok := parsePaging(rq)
	if !ok {
		return
	}
	recursive, _, ok := boolParam(rq, "recursive")
	if !ok {
		return
	}
	f.mu.RLock()
	defer f.mu.RUnlock()
	p := f.findProject(rq.args[0])
	if p == nil {
		notFound(rq.w, "Project")
		return
	}
	c := p.resolveRef(rq.q.Get("ref"))
	if c == nil {
		notFound(rq.w, "Tree")
		return
	}
	entries, ok := c.treeIndex().list(strings.Trim(rq.q.Get("path"), "/"), recursive)
	if !ok {
		notFound(rq.w, "Tree")
		return
	}

	var page []treeEntryJSON
	switch rq.q.Get("pagination") {
	case "none":
		page = entries
	case "keyset":
		start := 0
		if tok := rq.q.Get("page_token"); tok != "" {
			if start = findPageToken(entries, tok); start < 0 {
				writeMessage(rq.w, http.StatusBadRequest, "400 Bad request - could not find starting page token")
				return
			}
		}
		page = entries[start:min(start+pg.perPage, len(entries))]
		if len(page) == pg.perPage && start+len(page) < len(entries) {
			setKeysetNext(rq, map[string]string{"page_token": encodePageToken(page[len(page)-1])})
		}
	default:
		lo, hi := pg.window(len(entries))
		page = entries[lo:hi]
		setOffsetHeaders(rq, pg, len(entries))
	}
	if page == nil {
		page = []treeEntryJSON{}
	}
	writeJSON(rq.w, http.StatusOK, page)
}
