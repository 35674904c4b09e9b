package gitlabfake_test

import (
	"encoding/base64"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/vibe-coder-biz/idp/internal/gitlabfake"
)

func TestFilesRoundTrip(t *testing.T) {
	f, clk := start(t)
	c := client(t, f)
	id := f.AddProject(gitlabfake.ProjectSpec{Namespace: "gitops/team-a", Path: "hello-world"}).ID
	sha1 := f.Commit(id, map[string]string{"app.yaml": "name: v1\n", "dir/a.yaml": "a: 1\n", "README.md": "hi\n"})
	clk.Advance(time.Minute)
	sha2 := f.Commit(id, map[string]string{"app.yaml": "name: v2\n", "README.md": ""})
	if len(sha1) != 40 || len(sha2) != 40 || sha1 == sha2 {
		t.Fatalf("shas %q %q", sha1, sha2)
	}

	cases := []struct {
		path, ref, content, commit, last string
	}{
		{"app.yaml", "main", "name: v2\n", sha2, sha2},
		{"dir/a.yaml", "main", "a: 1\n", sha2, sha1},
		{"app.yaml", sha1, "name: v1\n", sha1, sha1},
		{"app.yaml", sha1[:8], "name: v1\n", sha1, sha1},
		{"app.yaml", "HEAD", "name: v2\n", sha2, sha2},
	}
	for _, tc := range cases {
		for _, pid := range []any{id, "gitops/team-a/hello-world"} {
			file, _, err := c.RepositoryFiles.GetFile(pid, tc.path, &gitlab.GetFileOptions{Ref: gitlab.Ptr(tc.ref)})
			if err != nil {
				t.Fatalf("GetFile(%v, %s@%s): %v", pid, tc.path, tc.ref, err)
			}
			content, _ := base64.StdEncoding.DecodeString(file.Content)
			if string(content) != tc.content || file.Encoding != "base64" || file.CommitID != tc.commit || file.LastCommitID != tc.last ||
				file.Ref != tc.ref || file.FilePath != tc.path || file.FileName != filepath.Base(tc.path) || file.Size != int64(len(tc.content)) {
				t.Fatalf("GetFile(%s@%s) = %+v", tc.path, tc.ref, file)
			}
			if file.BlobID != gitHashObject(t, tc.content) {
				t.Fatalf("blob_id %s is not git's", file.BlobID)
			}

			meta, resp, err := c.RepositoryFiles.GetFileMetaData(pid, tc.path, &gitlab.GetFileMetaDataOptions{Ref: gitlab.Ptr(tc.ref)})
			if err != nil {
				t.Fatal(err)
			}
			file.Content = ""
			if *meta != *file {
				t.Fatalf("HEAD metadata %+v != GET %+v", meta, file)
			}
			if resp.ContentLength > 0 {
				t.Fatal("HEAD returned a body")
			}

			raw, resp, err := c.RepositoryFiles.GetRawFile(pid, tc.path, &gitlab.GetRawFileOptions{Ref: gitlab.Ptr(tc.ref)})
			if err != nil || string(raw) != tc.content || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
				t.Fatalf("raw: %v %q %s", err, raw, resp.Header.Get("Content-Type"))
			}
		}
	}
	// The raw endpoint's ref is optional (HEAD); the JSON endpoint's is not.
	raw, _, err := c.RepositoryFiles.GetRawFile(id, "app.yaml", nil)
	if err != nil || string(raw) != "name: v2\n" {
		t.Fatalf("raw without ref: %v %q", err, raw)
	}
	meta, _, err := c.RepositoryFiles.GetRawFileMetaData(id, "dir/a.yaml", nil)
	if err != nil || meta.LastCommitID != sha1 || meta.BlobID == "" {
		t.Fatalf("raw HEAD: %v %+v", err, meta)
	}

	api := f.APIURL() + "/projects/" + itoa(id)
	errs := []struct {
		name, method, url string
		status            int
		body              string
	}{
		{"deleted file", "GET", api + "/repository/files/README%2Emd?ref=main", 404, `{"message":"404 File Not Found"}`},
		{"deleted file, old ref", "GET", api + "/repository/files/README%2Emd?ref=" + sha1, 200, ""},
		{"missing file", "GET", api + "/repository/files/nope.yaml?ref=main", 404, `{"message":"404 File Not Found"}`},
		{"missing raw", "GET", api + "/repository/files/nope.yaml/raw", 404, `{"message":"404 File Not Found"}`},
		{"unknown ref", "GET", api + "/repository/files/app.yaml?ref=nope", 404, `{"message":"404 Commit Not Found"}`},
		{"ref required", "GET", api + "/repository/files/app.yaml", 400, `{"error":"ref is missing"}`},
		{"ref not blank", "GET", api + "/repository/files/app.yaml/raw?ref=", 400, `{"error":"ref is empty"}`},
		{"unknown project", "GET", f.APIURL() + "/projects/999/repository/files/app.yaml?ref=main", 404, `{"message":"404 Project Not Found"}`},
		{"HEAD missing file", "HEAD", api + "/repository/files/nope.yaml?ref=main", 404, ""},
		{"slashes must be encoded", "GET", api + "/repository/files/dir/a.yaml?ref=main", 404, `{"error":"404 Not Found"}`},
	}
	for _, tc := range errs {
		resp, body := get(t, tc.method, tc.url, nil)
		if resp.StatusCode != tc.status || (tc.body != "" && body != tc.body) {
			t.Errorf("%s: got %d %s, want %d %s", tc.name, resp.StatusCode, body, tc.status, tc.body)
		}
	}
	if _, _, err := c.RepositoryFiles.GetFile(id, "nope", &gitlab.GetFileOptions{Ref: gitlab.Ptr("main")}); !errors.Is(err, gitlab.ErrNotFound) {
		t.Fatalf("client-go 404: %v", err)
	}
}

func TestTree(t *testing.T) {
	f, _ := start(t)
	c := client(t, f)
	id := f.AddProject(gitlabfake.ProjectSpec{Namespace: "g", Path: "p", Files: map[string]string{
		"app.yaml":           "root",
		"apps/a/config.json": "{}",
		"apps/a/values.yaml": "a",
		"apps/b/config.json": "{}",
		"apps-readme.md":     "x",
		"z/deep/er/file":     "deep",
	}}).ID

	names := func(ns []*gitlab.TreeNode) []string {
		var out []string
		for _, n := range ns {
			out = append(out, n.Type+":"+n.Path)
		}
		return out
	}
	root, _, err := c.Repositories.ListTree(id, &gitlab.ListTreeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := names(root), []string{"tree:apps", "tree:z", "blob:app.yaml", "blob:apps-readme.md"}; !slices.Equal(got, want) {
		t.Fatalf("root = %v, want %v", got, want)
	}
	sub, _, err := c.Repositories.ListTree(id, &gitlab.ListTreeOptions{Path: gitlab.Ptr("apps"), Ref: gitlab.Ptr("main")})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := names(sub), []string{"tree:apps/a", "tree:apps/b"}; !slices.Equal(got, want) {
		t.Fatalf("apps = %v", got)
	}
	rec, _, err := c.Repositories.ListTree(id, &gitlab.ListTreeOptions{Recursive: gitlab.Ptr(true), ListOptions: gitlab.ListOptions{PerPage: 100}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"tree:apps", "tree:apps/a", "tree:apps/b", "tree:z", "tree:z/deep", "tree:z/deep/er",
		"blob:app.yaml", "blob:apps-readme.md", "blob:apps/a/config.json", "blob:apps/a/values.yaml", "blob:apps/b/config.json", "blob:z/deep/er/file"}
	if got := names(rec); !slices.Equal(got, want) {
		t.Fatalf("recursive = %v", got)
	}
	for _, n := range rec {
		if (n.Type == "tree" && n.Mode != "040000") || (n.Type == "blob" && n.Mode != "100644") || len(n.ID) != 40 || n.Name != filepath.Base(n.Path) {
			t.Fatalf("entry %+v", n)
		}
	}

	// Recursive listing, paginated both ways, yields the same sequence.
	for _, keyset := range []bool{false, true} {
		opt := &gitlab.ListTreeOptions{Recursive: gitlab.Ptr(true), ListOptions: gitlab.ListOptions{PerPage: 5}}
		if keyset {
			opt.Pagination = "keyset"
		}
		var got []*gitlab.TreeNode
		var next []gitlab.RequestOptionFunc
		for range 10 {
			ns, resp, err := c.Repositories.ListTree(id, opt, next...)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, ns...)
			n, ok := gitlab.WithNext(resp)
			if !ok {
				break
			}
			next = []gitlab.RequestOptionFunc{n}
		}
		if !slices.Equal(names(got), want) {
			t.Fatalf("paginated (keyset=%v) = %v", keyset, names(got))
		}
	}

	// A missing path, a file path or a missing ref is "404 Tree Not Found".
	for _, opt := range []*gitlab.ListTreeOptions{
		{Path: gitlab.Ptr("nope")},
		{Path: gitlab.Ptr("app.yaml")},
		{Ref: gitlab.Ptr("nope")},
	} {
		if _, _, err := c.Repositories.ListTree(id, opt); !errors.Is(err, gitlab.ErrNotFound) {
			t.Fatalf("ListTree(%+v): %v", opt, err)
		}
	}
	_, body := get(t, "GET", f.APIURL()+"/projects/"+itoa(id)+"/repository/tree?path=nope", nil)
	if body != `{"message":"404 Tree Not Found"}` {
		t.Fatalf("body %s", body)
	}
	empty := f.AddProject(gitlabfake.ProjectSpec{Namespace: "g", Path: "empty"}).ID
	if _, _, err := c.Repositories.ListTree(empty, nil); !errors.Is(err, gitlab.ErrNotFound) {
		t.Fatalf("empty repository tree: %v", err)
	}

	// Tree and blob ids are git's own.
	gitTree := gitWriteTree(t, map[string]string{
		"app.yaml": "root", "apps/a/config.json": "{}", "apps/a/values.yaml": "a",
		"apps/b/config.json": "{}", "apps-readme.md": "x", "z/deep/er/file": "deep",
	})
	for _, n := range rec {
		if wantID, ok := gitTree[n.Path]; ok && wantID != n.ID {
			t.Errorf("%s: id %s, git says %s", n.Path, n.ID, wantID)
		}
	}
}

func TestBranches(t *testing.T) {
	f, _ := start(t)
	c := client(t, f)
	id := f.AddProject(gitlabfake.ProjectSpec{Namespace: "g", Path: "p", Files: map[string]string{"a": "1"}}).ID
	head := f.Commit(id, map[string]string{"a": "2"})
	feat := f.CommitOn(id, gitlabfake.CommitSpec{Branch: "feature/x", Message: "Feature X\n\nbody", Files: map[string]string{"b": "1"}})

	b, _, err := c.Branches.GetBranch(id, "main")
	if err != nil {
		t.Fatal(err)
	}
	if b.Name != "main" || !b.Default || !b.Protected || b.Commit.ID != head || b.Commit.ShortID != head[:8] ||
		b.Commit.CommittedDate == nil || len(b.Commit.ParentIDs) != 1 {
		t.Fatalf("main: %+v %+v", b, b.Commit)
	}
	b, _, err = c.Branches.GetBranch(id, "feature/x")
	if err != nil {
		t.Fatal(err)
	}
	if b.Default || b.Merged || b.Commit.ID != feat || b.Commit.Title != "Feature X" || b.Commit.ParentIDs[0] != head {
		t.Fatalf("feature/x: %+v %+v", b, b.Commit)
	}
	bs, resp, err := c.Branches.ListBranches(id, &gitlab.ListBranchesOptions{})
	if err != nil || len(bs) != 2 || bs[0].Name != "feature/x" || bs[1].Name != "main" || resp.TotalItems != 2 {
		t.Fatalf("list: %v %d", err, len(bs))
	}
	bs, _, _ = c.Branches.ListBranches(id, &gitlab.ListBranchesOptions{Search: gitlab.Ptr("^feat")})
	if len(bs) != 1 {
		t.Fatalf("search: %d", len(bs))
	}
	if _, resp, err := c.Branches.GetBranch(id, "nope"); !errors.Is(err, gitlab.ErrNotFound) || resp.StatusCode != 404 {
		t.Fatalf("missing branch: %v", err)
	}
	_, body := get(t, "GET", f.APIURL()+"/projects/"+itoa(id)+"/repository/branches/nope", nil)
	if body != `{"message":"404 Branch Not Found"}` {
		t.Fatalf("body %s", body)
	}
	// The file API reads any branch.
	file, _, err := c.RepositoryFiles.GetFile(id, "b", &gitlab.GetFileOptions{Ref: gitlab.Ptr("feature/x")})
	if err != nil || file.CommitID != feat {
		t.Fatalf("file on branch: %v", err)
	}
}

// gitHashObject is `git hash-object` for content.
func gitHashObject(t *testing.T, content string) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	cmd := exec.Command("git", "hash-object", "--stdin")
	cmd.Stdin = strings.NewReader(content)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

// gitWriteTree stages files in a scratch repository and returns git's ids
// for every directory and file path.
func gitWriteTree(t *testing.T, files map[string]string) map[string]string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	run := func(args ...string) string {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_SYSTEM=/dev/null")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	run("init", "-q")
	for p, content := range files {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	run("add", "-A")
	tree := strings.TrimSpace(run("write-tree"))
	ids := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(run("ls-tree", "-r", "-t", tree)), "\n") {
		meta, path, _ := strings.Cut(line, "\t")
		fields := strings.Fields(meta)
		ids[path] = fields[2]
	}
	return ids
}
