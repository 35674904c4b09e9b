package gitlabfake

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// treeIndex is the directory structure of one commit, built on first use.
// Tree ids are real git tree hashes over the commit's blobs, so an unchanged
// directory keeps its id across commits as it does in git.
type treeIndex struct {
	dirs  map[string]*dirNode // "" is the root
	blobs map[string]string   // file path → blob id
}

type dirNode struct {
	id    string
	trees []string // child directory names, git order
	blobs []string // child file names, git order
}

func (c *commit) treeIndex() *treeIndex {
	c.treeOnce.Do(func() { c.tree = buildTree(c.files) })
	return c.tree
}

func buildTree(files map[string]*blob) *treeIndex {
	t := &treeIndex{dirs: map[string]*dirNode{"": {}}, blobs: make(map[string]string, len(files))}
	for p, b := range files {
		dir, name := splitPath(p)
		d := t.dir(dir)
		d.blobs = append(d.blobs, name)
		t.blobs[p] = b.id
	}
	for _, d := range t.dirs {
		sort.Slice(d.trees, func(i, j int) bool { return gitLess(d.trees[i], true, d.trees[j], true) })
		sort.Strings(d.blobs)
	}
	t.hash("")
	return t
}

// dir returns the node for a directory, creating it and its ancestors.
func (t *treeIndex) dir(p string) *dirNode {
	if d, ok := t.dirs[p]; ok {
		return d
	}
	d := &dirNode{}
	t.dirs[p] = d
	parent, name := splitPath(p)
	t.dir(parent).trees = append(t.dir(parent).trees, name)
	return d
}

func splitPath(p string) (dir, name string) {
	if i := strings.LastIndex(p, "/"); i >= 0 {
		return p[:i], p[i+1:]
	}
	return "", p
}

func joinPath(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}

// gitLess is git's tree-entry order: names compare bytewise, a directory as if
// it ended in "/".
func gitLess(a string, aTree bool, b string, bTree bool) bool {
	if aTree {
		a += "/"
	}
	if bTree {
		b += "/"
	}
	return a < b
}

// hash computes git tree object ids bottom-up.
func (t *treeIndex) hash(p string) string {
	d := t.dirs[p]
	type ent struct {
		mode, name, id string
		tree           bool
	}
	var ents []ent
	for _, n := range d.trees {
		ents = append(ents, ent{"40000", n, t.hash(joinPath(p, n)), true})
	}
	for _, n := range d.blobs {
		ents = append(ents, ent{"100644", n, t.blobs[joinPath(p, n)], false})
	}
	sort.Slice(ents, func(i, j int) bool { return gitLess(ents[i].name, ents[i].tree, ents[j].name, ents[j].tree) })
	var body []byte
	for _, e := range ents {
		raw, _ := hex.DecodeString(e.id)
		body = append(body, e.mode+" "+e.name+"\x00"...)
		body = append(body, raw...)
	}
	h := sha1.New()
	fmt.Fprintf(h, "tree %d\x00", len(body))
	h.Write(body)
	d.id = hex.EncodeToString(h.Sum(nil))
	return d.id
}

// list returns the entries under dir: trees first, then blobs, each sorted by
// path, which is how GitLab's Tree#sorted_entries presents them. ok is false
// when dir is not a directory of the commit.
func (t *treeIndex) list(dir string, recursive bool) ([]treeEntryJSON, bool) {
	if _, ok := t.dirs[dir]; !ok {
		return nil, false
	}
	var trees, blobs []treeEntryJSON
	var walk func(string)
	walk = func(p string) {
		d := t.dirs[p]
		for _, n := range d.trees {
			full := joinPath(p, n)
			trees = append(trees, treeEntryJSON{ID: t.dirs[full].id, Name: n, Type: "tree", Path: full, Mode: "040000"})
			if recursive {
				walk(full)
			}
		}
		for _, n := range d.blobs {
			full := joinPath(p, n)
			blobs = append(blobs, treeEntryJSON{ID: t.blobs[full], Name: n, Type: "blob", Path: full, Mode: "100644"})
		}
	}
	walk(dir)
	if recursive {
		sort.Slice(trees, func(i, j int) bool { return trees[i].Path < trees[j].Path })
		sort.Slice(blobs, func(i, j int) bool { return blobs[i].Path < blobs[j].Path })
	}
	return append(trees, blobs...), true
}

// Gitaly's tree page token is base64 of {"file_name": <path of last entry>};
// an entry id is still accepted, as Gitaly does for old clients.
type pageToken struct {
	FileName string `json:"file_name"`
}

func encodePageToken(e treeEntryJSON) string {
	b, _ := json.Marshal(pageToken{FileName: e.Path})
	return base64.StdEncoding.EncodeToString(b)
}

// findPageToken returns the index after the entry the token names, or -1.
func findPageToken(entries []treeEntryJSON, tok string) int {
	var pt pageToken
	if raw, err := base64.StdEncoding.DecodeString(tok); err == nil && json.Unmarshal(raw, &pt) == nil && pt.FileName != "" {
		for i, e := range entries {
			if e.Path == pt.FileName {
				return i + 1
			}
		}
		return -1
	}
	for i, e := range entries {
		if e.ID == tok {
			return i + 1
		}
	}
	return -1
}
