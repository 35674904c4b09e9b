package gitlabfake

import (
	"bytes"
	"errors"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Repository, RepositoryBlob, Tree and Commit, as GitLab's resolvers read
// them from Gitaly.

// maxBlobData is Gitlab::Git::Blob::MAX_DATA_DISPLAY_SIZE: blobs_at loads at
// most this much of each blob.
const maxBlobData = 10 << 20

// repositoryField answers Types::RepositoryType.
func (x *gqlExec) repositoryField(p *project, field string, args map[string]any) (any, error) {
	switch field {
	case "rootRef":
		if p.head() == nil {
			return nil, nil
		}
		return p.defaultBranch, nil
	case "exists":
		return true, nil // GitLab creates the repository with the project
	case "empty":
		return len(p.branches) == 0, nil
	case "tree":
		var c *commit
		if ref := gqlArgString(args, "ref"); ref != "" {
			c = p.resolveRef(qualifyRef(ref, args))
		} else {
			c = p.head() // TreeResolver's :head
		}
		return gqlTree{p: p, c: c, path: strings.Trim(gqlArgString(args, "path"), "/")}, nil
	case "blobs":
		return blobsConnection(p, args)
	}
	return nil, nil
}

// blobsConnection is Resolvers::BlobsResolver: no blobs in an empty
// repository, the root ref by default, and no node for a missing path.
func blobsConnection(p *project, args map[string]any) (any, error) {
	var items []any
	if len(p.branches) > 0 {
		ref := gqlArgString(args, "ref")
		if _, given := args["ref"]; !given || args["ref"] == nil {
			ref = p.defaultBranch
		}
		if !validRefName(ref) {
			return nil, errors.New("Ref is not valid")
		}
		if c := p.resolveRef(qualifyRef(ref, args)); c != nil {
			for _, path := range gqlArgStrings(args, "paths") {
				if b := c.files[path]; b != nil {
					items = append(items, gqlBlob{p: p, path: path, b: b})
				}
			}
		}
	}
	return pageArray(items, args)
}

// qualifyRef is ExtractsRef::RefExtractor.qualify_ref.
func qualifyRef(ref string, args map[string]any) string {
	switch gqlArgString(args, "refType") {
	case "HEADS":
		return "refs/heads/" + ref
	case "TAGS":
		return "refs/tags/" + ref
	}
	return ref
}

// validRefName is Gitlab::GitRefValidator.validate(ref, skip_head_ref_check:
// true): git's check-ref-format for refs/heads/<ref>, and no ref spelled
// with a refs/ prefix or a leading dash.
func validRefName(ref string) bool {
	if ref == "" || ref == "@" || strings.HasPrefix(ref, "-") ||
		strings.HasPrefix(ref, "refs/heads/") || strings.HasPrefix(ref, "refs/remotes/") || strings.HasPrefix(ref, "refs/tags/") ||
		strings.Contains(ref, "..") || strings.Contains(ref, "@{") || strings.Contains(ref, "//") ||
		strings.HasSuffix(ref, "/") || strings.HasSuffix(ref, ".") {
		return false
	}
	for _, r := range ref {
		if r < 0x20 || r == 0x7f || strings.ContainsRune(" ~^:?*[\\", r) {
			return false
		}
	}
	for _, part := range strings.Split(ref, "/") {
		if strings.HasPrefix(part, ".") || strings.HasSuffix(part, ".lock") {
			return false
		}
	}
	return true
}

// blobField answers Types::Repository::BlobType.
func (x *gqlExec) blobField(b gqlBlob, field string) any {
	data := b.b.data
	if len(data) > maxBlobData {
		data = data[:maxBlobData]
	}
	switch field {
	case "id":
		return "gid://gitlab/Blob/" + b.b.id
	case "oid":
		return b.b.id
	case "path":
		return b.path
	case "name":
		_, name := splitPath(b.path)
		return name
	case "mode":
		return "100644"
	case "size", "rawSize":
		return strconv.Itoa(len(b.b.data)) // BigInt
	case "rawBlob":
		return string(data)
	case "rawTextBlob":
		if bytes.IndexByte(data[:min(len(data), 8000)], 0) >= 0 || !utf8.Valid(data) {
			return nil // binary
		}
		return string(data)
	}
	return nil
}

// lastCommit is the newest commit reachable from the tree's commit that
// touched its path, as Gitaly's LastCommitForPath finds it.
func (x *gqlExec) lastCommit(t gqlTree) any {
	if t.c == nil {
		return nil
	}
	if t.path == "" {
		return gqlCommit{t.p, t.c}
	}
	prefix := t.path + "/"
	under := func(f string) bool { return f == t.path || strings.HasPrefix(f, prefix) }
	exists := false
	for f := range t.c.files {
		if under(f) {
			exists = true
			break
		}
	}
	if !exists {
		return nil
	}
	for c := t.c; c != nil; c = c.parent {
		if slices.ContainsFunc(c.added, under) || slices.ContainsFunc(c.modified, under) || slices.ContainsFunc(c.removed, under) {
			return gqlCommit{t.p, c}
		}
	}
	return nil
}

// commitField answers Types::Repositories::CommitType.
func (x *gqlExec) commitField(c gqlCommit, field string) any {
	switch field {
	case "id":
		return "gid://gitlab/CommitPresenter/" + c.c.sha
	case "sha":
		return c.c.sha
	case "shortId":
		return c.c.sha[:8]
	case "title":
		return c.c.title
	case "message":
		return c.c.message
	case "authoredDate":
		return graphQLTime(c.c.time)
	case "authorName":
		return c.c.authorName
	case "authorEmail":
		return c.c.authorEmail
	case "webUrl":
		return x.base + "/" + c.p.fullPath() + "/-/commit/" + c.c.sha
	}
	return nil
}
