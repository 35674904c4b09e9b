package gitlabfake

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Query, Project and Group: what GitLab's resolvers and finders return,
// and to whom.

// queryField answers the root fields.
func (x *gqlExec) queryField(field string, args map[string]any) (any, error) {
	switch field {
	case "project":
		p := x.f.projBy[strings.ToLower(gqlArgString(args, "fullPath"))]
		if p == nil || !x.canSee(p) {
			return nil, nil
		}
		return p, nil
	case "group":
		g := x.f.groupsBy[strings.ToLower(normGroupPath(gqlArgString(args, "fullPath")))]
		if g == nil || !x.canSeeGroup(g) {
			return nil, nil
		}
		return g, nil
	case "projects":
		return x.projects(args)
	case "queryComplexity":
		return gqlComplexity{score: x.score, limit: x.limit}, nil
	case "__schema", "__type":
		return nil, errors.New("gitlabfake: introspection is not served")
	}
	return nil, fmt.Errorf("gitlabfake: no resolver for Query.%s", field)
}

// canSee is read_project: everything for the token, public projects for
// anyone.
func (x *gqlExec) canSee(p *project) bool { return x.authed || p.visibility == "public" }

func (x *gqlExec) canSeeGroup(g *group) bool { return x.authed || groupVisibility(g) == "public" }

var visibilityRank = map[string]int{"private": 0, "internal": 1, "public": 2}

// groupVisibility infers what the fake does not store: GitLab never lets a
// project be more visible than its group, so a group is as visible as the
// most visible project beneath it, and private when it has none.
func groupVisibility(g *group) string {
	if g.visibility != "" {
		return g.visibility
	}
	best := "private"
	var walk func(*group)
	walk = func(g *group) {
		for _, p := range g.projects {
			if visibilityRank[p.visibility] > visibilityRank[best] {
				best = p.visibility
			}
		}
		for _, c := range g.children {
			walk(c)
		}
	}
	walk(g)
	return best
}

// projects is Resolvers::ProjectsResolver over ProjectsFinder.
func (x *gqlExec) projects(args map[string]any) (any, error) {
	paths := gqlArgStrings(args, "fullPaths")
	if len(paths) > 50 {
		return nil, errors.New("You cannot provide more than 50 full_paths")
	}
	var list []*project
	seen := map[*project]bool{}
	keep := func(p *project) {
		if p != nil && !seen[p] {
			seen[p] = true
			list = append(list, p)
		}
	}
	ids, byID := args["ids"]
	switch {
	case byID && ids != nil:
		// ProjectsFinder tests the id list for nil only: [] finds nothing.
		nums, err := projectGIDs(gqlArgStrings(args, "ids"))
		if err != nil {
			return nil, err
		}
		for _, n := range nums {
			keep(x.f.projects[n])
		}
	case len(paths) > 0:
		for _, fp := range paths {
			keep(x.f.projBy[strings.ToLower(fp)])
		}
	default:
		for _, p := range x.f.projects {
			keep(p)
		}
	}
	wantPath := map[string]bool{}
	for _, fp := range paths {
		wantPath[strings.ToLower(fp)] = true
	}
	search := strings.ToLower(gqlArgString(args, "search"))
	topics := gqlArgStrings(args, "topics")
	archived := gqlArgString(args, "archived")
	list = slices.DeleteFunc(list, func(p *project) bool {
		return !x.canSee(p) || len(paths) > 0 && !wantPath[strings.ToLower(p.fullPath())] ||
			!matchesSearch(p, search) || !hasTopics(p, topics) ||
			archived == "EXCLUDE" && p.archived || archived == "ONLY" && !p.archived
	})
	return pageProjects(list, projectsSort(gqlArgString(args, "sort")), args)
}

// groupProjects is Resolvers::NamespaceProjectsResolver: the group's own
// projects, or those of its subgroups too; never projects shared into it.
func (x *gqlExec) groupProjects(g *group, args map[string]any) (any, error) {
	var list []*project
	var walk func(*group)
	walk = func(g *group) {
		list = append(list, g.projects...)
		if gqlArgBool(args, "includeSubgroups") {
			for _, c := range g.children {
				walk(c)
			}
		}
	}
	walk(g)
	var wantID map[int64]bool
	if ids := gqlArgStrings(args, "ids"); len(ids) > 0 { // the finder tests ids.present?
		nums, err := projectGIDs(ids)
		if err != nil {
			return nil, err
		}
		wantID = map[int64]bool{}
		for _, n := range nums {
			wantID[n] = true
		}
	}
	search := strings.ToLower(gqlArgString(args, "search"))
	withArchived := gqlArgBool(args, "includeArchived")
	list = slices.DeleteFunc(slices.Clone(list), func(p *project) bool {
		return !x.canSee(p) || wantID != nil && !wantID[p.id] || !matchesSearch(p, search) || p.archived && !withArchived
	})
	order := projectOrder{column: "id", desc: true}
	if gqlArgString(args, "sort") == "ACTIVITY_DESC" {
		order.column = "last_activity_at"
	}
	return pageProjects(list, order, args)
}

func matchesSearch(p *project, search string) bool {
	return search == "" || strings.Contains(strings.ToLower(p.name), search) ||
		strings.Contains(strings.ToLower(p.path), search) || strings.Contains(strings.ToLower(p.description), search)
}

func hasTopics(p *project, topics []string) bool {
	for _, t := range topics {
		if !slices.ContainsFunc(p.topics, func(pt string) bool { return strings.EqualFold(pt, t) }) {
			return false
		}
	}
	return true
}

// projectGIDs parses global IDs as GitlabSchema.parse_gid does with
// expected_type ::Project; a non-numeric model id simply matches nothing.
func projectGIDs(gids []string) ([]int64, error) {
	out := make([]int64, 0, len(gids))
	for _, s := range gids {
		model, id, ok := strings.Cut(strings.TrimPrefix(s, "gid://gitlab/"), "/")
		if !strings.HasPrefix(s, "gid://gitlab/") || !ok || model == "" || id == "" {
			return nil, fmt.Errorf("%s is not a valid GitLab ID.", s)
		}
		if model != "Project" {
			return nil, fmt.Errorf("%s is not a valid ID for Project.", s)
		}
		if n, err := strconv.ParseInt(id, 10, 64); err == nil {
			out = append(out, n)
		}
	}
	return out, nil
}

// projectField answers Types::ProjectType.
func (x *gqlExec) projectField(p *project, field string) any {
	web := x.base + "/" + p.fullPath()
	switch field {
	case "id":
		return "gid://gitlab/Project/" + strconv.FormatInt(p.id, 10)
	case "name":
		return p.name
	case "path":
		return p.path
	case "fullPath":
		return p.fullPath()
	case "nameWithNamespace":
		return p.ns.fullName + " / " + p.name
	case "description":
		if p.description == "" {
			return nil
		}
		return p.description
	case "webUrl":
		return web
	case "httpUrlToRepo":
		return web + ".git"
	case "sshUrlToRepo":
		return "git@" + hostOf(x.base) + ":" + p.fullPath() + ".git"
	case "archived":
		return p.archived
	case "visibility":
		return p.visibility
	case "createdAt":
		return graphQLTime(p.createdAt)
	case "lastActivityAt":
		return graphQLTime(p.lastActivityAt)
	case "topics":
		return nonNil(p.topics)
	case "namespace", "group":
		return p.ns
	case "repository":
		return gqlRepo{p}
	}
	return nil
}

// groupField answers Types::NamespaceType and Types::GroupType.
func (x *gqlExec) groupField(g *group, field string, args map[string]any) (any, error) {
	switch field {
	case "id":
		return "gid://gitlab/Group/" + strconv.FormatInt(g.id, 10), nil
	case "name":
		return g.name, nil
	case "path":
		return g.path, nil
	case "fullPath":
		return g.fullPath, nil
	case "fullName":
		return g.fullName, nil
	case "webUrl":
		return x.base + "/groups/" + g.fullPath, nil
	case "visibility":
		return groupVisibility(g), nil
	case "parent":
		if g.parent == nil {
			return nil, nil
		}
		return g.parent, nil
	case "projects":
		return x.groupProjects(g, args)
	}
	return nil, nil // description: the fake keeps none
}

// graphQLTime renders Types::TimeType: ISO 8601 in UTC, whole seconds.
func graphQLTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }
