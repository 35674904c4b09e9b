package gitlabfake

import (
	"encoding/json"
	"net/url"
	"strconv"
	"sync/atomic"
	"time"
)

// Project and namespace entities as the REST API renders them, with a
// per-project cache of the encoded bytes.

type namespaceJSON struct {
	ID        int64   `json:"id"`
	Name      string  `json:"name"`
	Path      string  `json:"path"`
	Kind      string  `json:"kind"`
	FullPath  string  `json:"full_path"`
	ParentID  *int64  `json:"parent_id"`
	AvatarURL *string `json:"avatar_url"`
	WebURL    string  `json:"web_url"`
}

// basicProjectJSON is API::Entities::BasicProjectDetails, what simple=true
// returns. It has no archived or visibility field, as on GitLab.
type basicProjectJSON struct {
	ID                int64         `json:"id"`
	Description       *string       `json:"description"`
	Name              string        `json:"name"`
	NameWithNamespace string        `json:"name_with_namespace"`
	Path              string        `json:"path"`
	PathWithNamespace string        `json:"path_with_namespace"`
	CreatedAt         string        `json:"created_at"`
	DefaultBranch     string        `json:"default_branch"`
	TagList           []string      `json:"tag_list"`
	Topics            []string      `json:"topics"`
	SSHURLToRepo      string        `json:"ssh_url_to_repo"`
	HTTPURLToRepo     string        `json:"http_url_to_repo"`
	WebURL            string        `json:"web_url"`
	ReadmeURL         *string       `json:"readme_url"`
	ForksCount        int           `json:"forks_count"`
	AvatarURL         *string       `json:"avatar_url"`
	StarCount         int           `json:"star_count"`
	LastActivityAt    string        `json:"last_activity_at"`
	Namespace         namespaceJSON `json:"namespace"`
}

type sharedWithGroupJSON struct {
	GroupID          int64   `json:"group_id"`
	GroupName        string  `json:"group_name"`
	GroupFullPath    string  `json:"group_full_path"`
	GroupAccessLevel int     `json:"group_access_level"`
	ExpiresAt        *string `json:"expires_at"`
}

// projectJSON is a representative subset of API::Entities::Project.
type projectJSON struct {
	basicProjectJSON
	Links                          map[string]string     `json:"_links"`
	EmptyRepo                      bool                  `json:"empty_repo"`
	Archived                       bool                  `json:"archived"`
	Visibility                     string                `json:"visibility"`
	ResolveOutdatedDiffDiscussions bool                  `json:"resolve_outdated_diff_discussions"`
	ContainerRegistryEnabled       bool                  `json:"container_registry_enabled"`
	IssuesEnabled                  bool                  `json:"issues_enabled"`
	MergeRequestsEnabled           bool                  `json:"merge_requests_enabled"`
	WikiEnabled                    bool                  `json:"wiki_enabled"`
	JobsEnabled                    bool                  `json:"jobs_enabled"`
	SnippetsEnabled                bool                  `json:"snippets_enabled"`
	IssuesAccessLevel              string                `json:"issues_access_level"`
	RepositoryAccessLevel          string                `json:"repository_access_level"`
	MergeRequestsAccessLevel       string                `json:"merge_requests_access_level"`
	ForkingAccessLevel             string                `json:"forking_access_level"`
	BuildsAccessLevel              string                `json:"builds_access_level"`
	UpdatedAt                      string                `json:"updated_at"`
	CreatorID                      int64                 `json:"creator_id"`
	ImportStatus                   string                `json:"import_status"`
	OpenIssuesCount                int                   `json:"open_issues_count"`
	SharedRunnersEnabled           bool                  `json:"shared_runners_enabled"`
	MergeMethod                    string                `json:"merge_method"`
	SquashOption                   string                `json:"squash_option"`
	MarkedForDeletionAt            *string               `json:"marked_for_deletion_at"`
	MarkedForDeletionOn            *string               `json:"marked_for_deletion_on"`
	SharedWithGroups               []sharedWithGroupJSON `json:"shared_with_groups"`
}

type jsonCached struct {
	version uint64
	base    string
	full    []byte
	simple  []byte
}

// jsonCacheSlot memoises a project's encoded entities. Handlers only hold the
// read lock, so the slot is an atomic pointer: racing fills store equal bytes.
type jsonCacheSlot struct{ p atomic.Pointer[jsonCached] }

func (p *project) json(base string, simple bool) []byte {
	c := p.jsonCache.p.Load()
	if c == nil || c.version != p.version || c.base != base {
		c = &jsonCached{version: p.version, base: base}
	} else if b := c.pick(simple); b != nil {
		return b
	} else {
		cp := *c
		c = &cp
	}
	var err error
	var b []byte
	if simple {
		b, err = json.Marshal(p.basicEntity(base))
		c.simple = b
	} else {
		b, err = json.Marshal(p.fullEntity(base))
		c.full = b
	}
	if err != nil {
		panic(err) // plain structs of strings and numbers cannot fail
	}
	p.jsonCache.p.Store(c)
	return b
}

func (c *jsonCached) pick(simple bool) []byte {
	if simple {
		return c.simple
	}
	return c.full
}

func (p *project) basicEntity(base string) basicProjectJSON {
	full := p.fullPath()
	web := base + "/" + full
	e := basicProjectJSON{
		ID:                p.id,
		Name:              p.name,
		NameWithNamespace: p.ns.fullName + " / " + p.name,
		Path:              p.path,
		PathWithNamespace: full,
		CreatedAt:         gitlabTime(p.createdAt),
		DefaultBranch:     p.defaultBranch,
		TagList:           nonNil(p.topics),
		Topics:            nonNil(p.topics),
		SSHURLToRepo:      "git@" + hostOf(base) + ":" + full + ".git",
		HTTPURLToRepo:     web + ".git",
		WebURL:            web,
		LastActivityAt:    gitlabTime(p.lastActivityAt),
		Namespace:         p.ns.entity(base),
	}
	if p.description != "" {
		e.Description = &p.description
	}
	if h := p.head(); h != nil {
		if _, ok := h.files["README.md"]; ok {
			u := web + "/-/blob/" + p.defaultBranch + "/README.md"
			e.ReadmeURL = &u
		}
	}
	return e
}

func (p *project) fullEntity(base string) projectJSON {
	api := base + "/api/v4/projects/" + strconv.FormatInt(p.id, 10)
	e := projectJSON{
		basicProjectJSON: p.basicEntity(base),
		Links: map[string]string{
			"self":           api,
			"issues":         api + "/issues",
			"merge_requests": api + "/merge_requests",
			"repo_branches":  api + "/repository/branches",
			"labels":         api + "/labels",
			"events":         api + "/events",
			"members":        api + "/members",
			"cluster_agents": api + "/cluster_agents",
		},
		EmptyRepo:                len(p.commits) == 0,
		Archived:                 p.archived,
		Visibility:               p.visibility,
		ContainerRegistryEnabled: true,
		IssuesEnabled:            true,
		MergeRequestsEnabled:     true,
		WikiEnabled:              true,
		JobsEnabled:              true,
		SnippetsEnabled:          true,
		IssuesAccessLevel:        "enabled",
		RepositoryAccessLevel:    "enabled",
		MergeRequestsAccessLevel: "enabled",
		ForkingAccessLevel:       "enabled",
		BuildsAccessLevel:        "enabled",
		UpdatedAt:                gitlabTime(p.updatedAt),
		CreatorID:                p.creatorID(),
		ImportStatus:             "none",
		SharedRunnersEnabled:     true,
		MergeMethod:              "merge",
		SquashOption:             "default_off",
		SharedWithGroups:         []sharedWithGroupJSON{},
	}
	for _, g := range p.sharedWith {
		e.SharedWithGroups = append(e.SharedWithGroups, sharedWithGroupJSON{
			GroupID: g.id, GroupName: g.name, GroupFullPath: g.fullPath, GroupAccessLevel: p.shareLevel(g),
		})
	}
	if !p.markedAt.IsZero() {
		on := p.markedAt.UTC().Format(time.DateOnly)
		e.MarkedForDeletionAt, e.MarkedForDeletionOn = &on, &on
	}
	return e
}

func (g *group) entity(base string) namespaceJSON {
	n := namespaceJSON{ID: g.id, Name: g.name, Path: g.path, Kind: "group", FullPath: g.fullPath, WebURL: base + "/groups/" + g.fullPath}
	if g.kind == "user" {
		n.Kind, n.WebURL = "user", base+"/"+g.fullPath
	}
	if g.parent != nil {
		id := g.parent.id
		n.ParentID = &id
	}
	return n
}

func (p *project) creatorID() int64 {
	if p.creator != nil {
		return p.creator.id
	}
	return 1 // fixtures are made by the administrator
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func hostOf(base string) string {
	if u, err := url.Parse(base); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return "gitlab.example.com"
}
