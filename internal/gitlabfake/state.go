package gitlabfake

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Group is a snapshot of a group (namespace) held by the fake.
type Group struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Path     string `json:"path"`
	FullPath string `json:"full_path"`
	ParentID int64  `json:"parent_id,omitempty"` // 0 for a top-level group
}

// Project is a snapshot of a project held by the fake.
type Project struct {
	ID                int64     `json:"id"`
	Name              string    `json:"name"`
	Path              string    `json:"path"`
	Namespace         string    `json:"namespace"` // full path of the owning group
	PathWithNamespace string    `json:"path_with_namespace"`
	DefaultBranch     string    `json:"default_branch"`
	Topics            []string  `json:"topics,omitempty"`
	Visibility        string    `json:"visibility"`
	Archived          bool      `json:"archived"`
	CreatedAt         time.Time `json:"created_at"`
	LastActivityAt    time.Time `json:"last_activity_at"`
	HeadSHA           string    `json:"head_sha,omitempty"`    // head of the default branch; "" for an empty repository
	SharedWith        []string  `json:"shared_with,omitempty"` // full paths of groups the project is shared into
}

// ProjectSpec describes a project to create with AddProject.
// The JSON names are those of the fixture format (see Fixture).
type ProjectSpec struct {
	Namespace     string    `json:"namespace"`      // full path of the owning group; created if missing
	Path          string    `json:"path"`           // project path (slug)
	Name          string    `json:"name,omitempty"` // display name; defaults to Path
	Description   string    `json:"description,omitempty"`
	CreatedAt     time.Time `json:"created_at,omitzero"`      // zero means "now"
	DefaultBranch string    `json:"default_branch,omitempty"` // defaults to "main"
	Topics        []string  `json:"topics,omitempty"`
	Archived      bool      `json:"archived,omitempty"`
	Visibility    string    `json:"visibility,omitempty"`  // "private" (default), "internal" or "public"
	SharedWith    []string  `json:"shared_with,omitempty"` // groups (full paths) the project is shared into
	// Files, when non-empty, become the first commit on the default branch.
	Files map[string]string `json:"files,omitempty"`
}

// CommitSpec describes a commit for CommitOn.
type CommitSpec struct {
	Branch      string    `json:"branch,omitempty"`       // defaults to the default branch; a new branch starts from it
	Message     string    `json:"message,omitempty"`      // defaults to "Update <paths>"
	AuthorName  string    `json:"author_name,omitempty"`  // defaults to "Administrator"
	AuthorEmail string    `json:"author_email,omitempty"` // defaults to "admin@example.com"
	Time        time.Time `json:"time,omitzero"`
	// Files maps path → content; an empty content deletes the file.
	Files map[string]string `json:"files"`
}

type group struct {
	id        int64
	name      string
	path      string
	fullPath  string
	fullName  string // "Parent Name / Child Name", as in name_with_namespace
	parent    *group
	children  []*group
	projects  []*project // owned directly, in id order
	shared    []*project // shared into this group, in id order
	createdAt time.Time
	// visibility is set for groups made through the API or the command's
	// -group flag; "" leaves it inferred from the projects (groupVisibility).
	visibility string
	kind       string // "group", or "user" for a personal namespace
}

type project struct {
	id             int64
	name           string
	path           string
	description    string
	ns             *group
	defaultBranch  string
	topics         []string
	visibility     string
	archived       bool
	createdAt      time.Time
	lastActivityAt time.Time
	updatedAt      time.Time
	sharedWith     []*group
	branches       map[string]*commit
	commits        map[string]*commit
	version        uint64 // bumped on every change; keys the JSON cache
	jsonCache      jsonCacheSlot

	creator     *user
	members     map[*user]int  // direct members → access level
	shareLevels map[*group]int // group_access of each share; Developer when absent
	markedAt    time.Time      // marked for deletion; zero when not
	variables   []*variable
	protected   []*protectedBranch
	repo        string // bare repository served over git, "" when none
}

func (p *project) shareLevel(g *group) int {
	if l, ok := p.shareLevels[g]; ok {
		return l
	}
	return accessDeveloper
}

func (p *project) fullPath() string { return p.ns.fullPath + "/" + p.path }
func (p *project) head() *commit    { return p.branches[p.defaultBranch] }

type blob struct {
	id     string // git blob SHA-1
	sha256 string
	data   []byte
}

// commit is an immutable snapshot: every commit holds the whole file set, so
// any ref can be read without replaying history.
type commit struct {
	sha         string
	parent      *commit
	title       string
	message     string
	authorName  string
	authorEmail string
	time        time.Time
	files       map[string]*blob
	lastChange  map[string]*commit // path → commit that last touched it
	added       []string
	modified    []string
	removed     []string
	gitParent   string // first parent's SHA in git, for commits read from a push

	treeOnce sync.Once
	tree     *treeIndex
}

func normGroupPath(p string) string { return strings.Trim(p, "/") }

// AddGroup creates the group at fullPath (e.g. "gitops/team-a"), creating
// missing parents, and returns it; an existing group is returned unchanged.
func (f *Fake) AddGroup(fullPath string) Group {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.ensureGroup(fullPath).snapshot()
}

func (g *group) snapshot() Group {
	s := Group{ID: g.id, Name: g.name, Path: g.path, FullPath: g.fullPath}
	if g.parent != nil {
		s.ParentID = g.parent.id
	}
	return s
}

func (f *Fake) ensureGroup(fullPath string) *group {
	fullPath = normGroupPath(fullPath)
	if fullPath == "" {
		panic("gitlabfake: empty group path")
	}
	if g, ok := f.groupsBy[strings.ToLower(fullPath)]; ok {
		return g
	}
	var parent *group
	path := fullPath
	if i := strings.LastIndex(fullPath, "/"); i >= 0 {
		parent = f.ensureGroup(fullPath[:i])
		path = fullPath[i+1:]
	}
	f.nextGID++
	g := &group{id: f.nextGID, name: path, path: path, fullPath: fullPath, fullName: path, parent: parent, createdAt: f.now()}
	if parent != nil {
		g.fullName = parent.fullName + " / " + path
		parent.children = append(parent.children, g)
	}
	f.groups[g.id] = g
	f.groupsBy[strings.ToLower(fullPath)] = g
	f.lists.invalidate()
	return g
}

// AddProject creates a project and returns its snapshot. It panics on a
// duplicate path, which is a fixture bug.
func (f *Fake) AddProject(spec ProjectSpec) Project {
	f.mu.Lock()
	defer f.mu.Unlock()
	if spec.Path == "" {
		panic("gitlabfake: ProjectSpec.Path is required")
	}
	ns := f.ensureGroup(spec.Namespace)
	full := ns.fullPath + "/" + spec.Path
	if _, dup := f.projBy[strings.ToLower(full)]; dup {
		panic("gitlabfake: duplicate project " + full)
	}
	p := f.insertProject(spec, ns)
	if err := f.initRepo(p); err != nil {
		panic(err)
	}
	if len(spec.Files) > 0 {
		f.commitAny(p, CommitSpec{Files: spec.Files, Message: "Initial commit", Time: p.createdAt})
	}
	return p.snapshot()
}

// insertProject adds a project to ns; callers hold f.mu and have checked
// that the path is free.
func (f *Fake) insertProject(spec ProjectSpec, ns *group) *project {
	full := ns.fullPath + "/" + spec.Path
	now := f.now()
	f.nextPID++
	p := &project{
		id:            f.nextPID,
		name:          spec.Name,
		path:          spec.Path,
		description:   spec.Description,
		ns:            ns,
		defaultBranch: spec.DefaultBranch,
		topics:        slices.Sorted(slices.Values(spec.Topics)), // GitLab returns topics sorted
		visibility:    spec.Visibility,
		archived:      spec.Archived,
		createdAt:     spec.CreatedAt,
		branches:      map[string]*commit{},
		commits:       map[string]*commit{},
		members:       map[*user]int{},
		shareLevels:   map[*group]int{},
	}
	if p.name == "" {
		p.name = p.path
	}
	if p.defaultBranch == "" {
		p.defaultBranch = "main"
	}
	if p.visibility == "" {
		p.visibility = "private"
	}
	if p.createdAt.IsZero() {
		p.createdAt = now
	}
	p.createdAt = p.createdAt.UTC().Truncate(time.Millisecond) // the API's precision
	p.lastActivityAt, p.updatedAt = p.createdAt, p.createdAt
	f.projects[p.id] = p
	f.projBy[strings.ToLower(full)] = p
	ns.projects = append(ns.projects, p) // ids only grow, so this stays sorted
	for _, gp := range spec.SharedWith {
		f.share(p, f.ensureGroup(gp))
	}
	f.lists.invalidate()
	return p
}

func (p *project) snapshot() Project {
	s := Project{
		ID: p.id, Name: p.name, Path: p.path, Namespace: p.ns.fullPath,
		PathWithNamespace: p.fullPath(), DefaultBranch: p.defaultBranch,
		Topics: slices.Clone(p.topics), Visibility: p.visibility, Archived: p.archived,
		CreatedAt: p.createdAt, LastActivityAt: p.lastActivityAt,
	}
	if h := p.head(); h != nil {
		s.HeadSHA = h.sha
	}
	for _, g := range p.sharedWith {
		s.SharedWith = append(s.SharedWith, g.fullPath)
	}
	return s
}

// Project returns a snapshot of the project with the given id.
func (f *Fake) Project(id int64) (Project, bool) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	p, ok := f.projects[id]
	if !ok {
		return Project{}, false
	}
	return p.snapshot(), true
}

// ProjectByPath returns a snapshot of the project at a path such as
// "gitops/team-a/hello-world" (case-insensitive, as GitLab routes are).
func (f *Fake) ProjectByPath(path string) (Project, bool) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	p, ok := f.projBy[strings.ToLower(strings.Trim(path, "/"))]
	if !ok {
		return Project{}, false
	}
	return p.snapshot(), true
}

func (f *Fake) mustProject(id int64) *project {
	p, ok := f.projects[id]
	if !ok {
		panic(fmt.Sprintf("gitlabfake: no project with id %d", id))
	}
	return p
}

// Commit writes files on the default branch as one commit and returns its
// SHA. An empty content deletes the file. It panics on an unknown project.
func (f *Fake) Commit(projectID int64, files map[string]string) string {
	return f.CommitOn(projectID, CommitSpec{Files: files})
}

// CommitOn is Commit with a branch, message, author or time of your choosing.
func (f *Fake) CommitOn(projectID int64, c CommitSpec) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.mustProject(projectID)
	sha := f.commitAny(p, c)
	f.lists.invalidateIf(orderedByActivity) // only timestamps changed
	return sha
}

// commitAny commits in git when the project has a repository (GitRoot),
// in memory otherwise.
func (f *Fake) commitAny(p *project, c CommitSpec) string {
	if p.repo != "" {
		return f.gitCommit(p, c)
	}
	return f.commit(p, c)
}

func (f *Fake) commit(p *project, c CommitSpec) string {
	branch := c.Branch
	if branch == "" {
		branch = p.defaultBranch
	}
	parent := p.branches[branch]
	if parent == nil {
		parent = p.head() // a new branch starts from the default branch
	}
	when := c.Time
	if when.IsZero() {
		when = f.now()
	}
	f.seq++
	nc := &commit{
		parent:      parent,
		authorName:  orDefault(c.AuthorName, "Administrator"),
		authorEmail: orDefault(c.AuthorEmail, "admin@example.com"),
		time:        when.UTC().Truncate(time.Millisecond),
		files:       map[string]*blob{},
		lastChange:  map[string]*commit{},
	}
	if parent != nil {
		for k, v := range parent.files {
			nc.files[k] = v
		}
		for k, v := range parent.lastChange {
			nc.lastChange[k] = v
		}
	}
	paths := make([]string, 0, len(c.Files))
	for path := range c.Files {
		paths = append(paths, path)
	}
	sort.Strings(paths)
	h := sha1.New()
	fmt.Fprintf(h, "commit %d %d %s %d\n", p.id, f.seq, branch, when.UnixNano())
	if parent != nil {
		h.Write([]byte(parent.sha))
	}
	for _, raw := range paths {
		path := strings.Trim(raw, "/")
		content := c.Files[raw]
		old, existed := nc.files[path]
		switch {
		case content == "" && existed:
			delete(nc.files, path)
			delete(nc.lastChange, path)
			nc.removed = append(nc.removed, path)
		case content == "":
			continue
		default:
			b := newBlob([]byte(content))
			if existed && old.id == b.id {
				continue // unchanged content is not a change in git
			}
			nc.files[path] = b
			nc.lastChange[path] = nc
			if existed {
				nc.modified = append(nc.modified, path)
			} else {
				nc.added = append(nc.added, path)
			}
		}
		fmt.Fprintf(h, "%s\x00%s\n", path, content)
	}
	nc.sha = hex.EncodeToString(h.Sum(nil))
	nc.message = c.Message
	if nc.message == "" {
		nc.message = "Update " + strings.Join(paths, ", ")
	}
	nc.title, _, _ = strings.Cut(nc.message, "\n")
	p.branches[branch] = nc
	p.commits[nc.sha] = nc
	// A push to any branch is project activity.
	if f.opts.ActivityThrottle == 0 || !nc.time.Before(p.lastActivityAt.Add(f.opts.ActivityThrottle)) {
		p.lastActivityAt = nc.time
	}
	p.updatedAt = nc.time
	p.version++
	return nc.sha
}

func (c *commit) parentSHA() string { return c.gitParent }

func sortStrings(lists ...[]string) {
	for _, l := range lists {
		sort.Strings(l)
	}
}

func itoaInt(n int) string { return strconv.Itoa(n) }

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// newBlob computes the blob id the way git does, so blob_id and tree ids look
// and behave like GitLab's (identical content, identical id).
func newBlob(data []byte) *blob {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", len(data))
	h.Write(data)
	s := sha256.Sum256(data)
	return &blob{id: hex.EncodeToString(h.Sum(nil)), sha256: hex.EncodeToString(s[:]), data: data}
}

// Archive sets or clears the project's archived flag.
func (f *Fake) Archive(projectID int64, archived bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.mustProject(projectID)
	p.archived = archived
	p.updatedAt = f.now()
	p.version++
	f.lists.invalidateIf(func(k listKey) bool { return k.archived >= 0 || orderedByActivity(k) })
}

// DeleteProject removes the project at once, skipping the delayed deletion
// DELETE /projects/:id goes through; later requests for it get 404. Unknown
// ids are ignored.
func (f *Fake) DeleteProject(projectID int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if p, ok := f.projects[projectID]; ok {
		f.remove(p)
	}
}

// ShareIntoGroup shares the project with the group at groupPath (created if
// missing). Shared projects are listed by the group only with
// with_shared=true, which is GitLab's default.
func (f *Fake) ShareIntoGroup(projectID int64, groupPath string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.share(f.mustProject(projectID), f.ensureGroup(groupPath))
	f.lists.invalidate()
}

func (f *Fake) share(p *project, g *group) {
	if g == p.ns || slices.Contains(p.sharedWith, g) {
		return
	}
	p.sharedWith = append(p.sharedWith, g)
	i, _ := slices.BinarySearchFunc(g.shared, p.id, func(q *project, id int64) int { return compareInt(q.id, id) })
	g.shared = slices.Insert(g.shared, i, p)
	p.version++
}

func compareInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// findGroup resolves a numeric id or a full path, as GitLab's :id does.
func (f *Fake) findGroup(id string) *group {
	if n, err := strconv.ParseInt(id, 10, 64); err == nil {
		return f.groups[n]
	}
	return f.groupsBy[strings.ToLower(id)]
}

func (f *Fake) findProject(id string) *project {
	if n, err := strconv.ParseInt(id, 10, 64); err == nil {
		return f.projects[n]
	}
	return f.projBy[strings.ToLower(id)]
}

// resolveRef finds the commit a ref names: a branch (short or refs/heads/),
// "HEAD", or a full or abbreviated (7+ hex digits) commit SHA.
func (p *project) resolveRef(ref string) *commit {
	if ref == "" || ref == "HEAD" {
		return p.head()
	}
	if b, ok := strings.CutPrefix(ref, "refs/heads/"); ok {
		ref = b
	}
	if c, ok := p.branches[ref]; ok {
		return c
	}
	if c, ok := p.commits[ref]; ok {
		return c
	}
	if len(ref) >= 7 && len(ref) < 40 && isHex(ref) {
		var found *commit
		for sha, c := range p.commits {
			if strings.HasPrefix(sha, ref) {
				if found != nil {
					return nil // ambiguous
				}
				found = c
			}
		}
		return found
	}
	return nil
}

func isHex(s string) bool {
	for _, r := range s {
		if !strings.ContainsRune("0123456789abcdef", r) {
			return false
		}
	}
	return true
}
