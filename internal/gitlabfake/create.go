package gitlabfake

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
)

// Gitlab::PathRegex.project_path_format_regex and its message.
var (
	projectPathRe  = regexp.MustCompile(`^[a-zA-Z0-9_][a-zA-Z0-9_.-]*$`)
	projectNameRe  = regexp.MustCompile(`^[\p{L}\p{N}\p{So}_][\p{L}\p{N}\p{So}_. +-]*$`)
	parameterizeRe = regexp.MustCompile(`[^a-z0-9_-]+`)
)

const (
	projectPathMessage = "can contain only letters, digits, '_', '-' and '.'. Cannot start with '-', end in '.git' or end in '.atom'"
	projectNameMessage = "can contain only letters, digits, emoji, '_', '.', '+', dashes, or spaces. It must start with a letter, digit, emoji, or '_'."
)

var visibilities = []string{"private", "internal", "public"}

// createProject serves POST /projects the way Projects::CreateService does:
// a visibility above the group's is lowered to the group's (not refused),
// then a restricted level is refused, then the caller's right to create in
// the namespace is checked, then the model's validations run together.
func (f *Fake) createProject(rq *request) {
	in, ok := readParams(rq)
	if !ok {
		return
	}
	if !in.has("name") && !in.has("path") {
		writeError(rq.w, http.StatusBadRequest, "name, path are missing, at least one parameter must be provided")
		return
	}
	vis := in.str("visibility")
	if in.has("visibility") && !slices.Contains(visibilities, vis) {
		writeError(rq.w, http.StatusBadRequest, "visibility does not have a valid value")
		return
	}
	nsID, ok := in.integer(rq, "namespace_id")
	if !ok {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var ns *group
	if nsID != 0 {
		ns = f.groups[nsID]
	} else if u := rq.tok.user; u != nil && !u.bot {
		ns = f.personalNamespace(u)
	}
	if vis == "" {
		vis = "private"
	}
	if ns != nil && ns.kind != "user" && visibilityRank[vis] > visibilityRank[groupVisibility(ns)] {
		vis = groupVisibility(ns)
	}
	if f.opts.GitLabCom && vis == "internal" {
		writeValidation(rq.w, map[string][]string{"visibility_level": {"internal has been restricted by your GitLab administrator"}})
		return
	}
	name, path := in.str("name"), in.str("path")
	if path == "" {
		path = name
		if !validProjectPath(path) {
			path = strings.Trim(parameterizeRe.ReplaceAllString(strings.ToLower(path), "-"), "-")
		}
	}
	if name == "" {
		name = path
	}
	if ns == nil || f.groupAccess(rq.tok, ns) < accessDeveloper && ns != rq.tok.user.ns {
		writeValidation(rq.w, map[string][]string{"namespace": {"is not valid"}})
		return
	}
	if errs := f.projectErrors(ns, nil, name, path); len(errs) > 0 {
		writeValidation(rq.w, errs)
		return
	}
	p := f.insertProject(ProjectSpec{
		Namespace: ns.fullPath, Path: path, Name: name, Description: in.str("description"),
		DefaultBranch: in.str("default_branch"), Topics: in.list("topics"), Visibility: vis,
	}, ns)
	p.creator = rq.tok.user
	if ns.kind == "user" {
		p.members[rq.tok.user] = accessOwner
	}
	if err := f.initRepo(p); err != nil {
		http.Error(rq.w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeRawJSON(rq.w, http.StatusCreated, p.json(rq.base, false))
}

func validProjectPath(path string) bool {
	return projectPathRe.MatchString(path) && !strings.HasSuffix(path, ".git") && !strings.HasSuffix(path, ".atom")
}

// projectErrors runs the Project model's validations on a name and path in
// ns; self is the project being renamed, nil for a new one.
func (f *Fake) projectErrors(ns *group, self *project, name, path string) map[string][]string {
	errs := map[string][]string{}
	if !projectNameRe.MatchString(name) {
		errs["name"] = append(errs["name"], projectNameMessage)
	}
	if !validProjectPath(path) {
		errs["path"] = append(errs["path"], projectPathMessage)
	}
	for _, q := range ns.projects {
		if q == self {
			continue
		}
		if strings.EqualFold(q.name, name) && !slices.Contains(errs["name"], "has already been taken") {
			errs["name"] = append(errs["name"], "has already been taken")
		}
		if strings.EqualFold(q.path, path) && !slices.Contains(errs["path"], "has already been taken") {
			errs["path"] = append(errs["path"], "has already been taken")
		}
	}
	if g, ok := f.groupsBy[strings.ToLower(ns.fullPath+"/"+path)]; ok && g != nil && self == nil {
		errs["path"] = append(errs["path"], "has already been taken") // a subgroup holds the route
	}
	return errs
}

// updateProject serves PUT /projects/:id for the attributes templates set
// after creation: description, topics, name, default_branch, visibility.
func (f *Fake) updateProject(rq *request) {
	in, ok := readParams(rq)
	if !ok {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.findProject(rq.args[0])
	if p == nil || f.accessLevel(rq.tok, p) == accessNone {
		notFound(rq.w, "Project")
		return
	}
	if f.accessLevel(rq.tok, p) < accessMaintainer {
		writeMessage(rq.w, http.StatusForbidden, "403 Forbidden")
		return
	}
	if in.has("visibility") && !slices.Contains(visibilities, in.str("visibility")) {
		writeError(rq.w, http.StatusBadRequest, "visibility does not have a valid value")
		return
	}
	name := p.name
	if in.has("name") {
		name = in.str("name")
	}
	if errs := f.projectErrors(p.ns, p, name, p.path); len(errs) > 0 {
		writeValidation(rq.w, errs)
		return
	}
	p.name = name
	if in.has("description") {
		p.description = in.str("description")
	}
	if in.has("topics") {
		p.topics = slices.Sorted(slices.Values(in.list("topics")))
	}
	if in.has("default_branch") {
		p.defaultBranch = in.str("default_branch")
	}
	if v := in.str("visibility"); v != "" {
		if visibilityRank[v] > visibilityRank[groupVisibility(p.ns)] {
			writeValidation(rq.w, map[string][]string{"visibility_level": {v + " is not allowed in a " + groupVisibility(p.ns) + " group."}})
			return
		}
		p.visibility = v
	}
	p.updatedAt = f.now().UTC().Truncate(1e6)
	p.version++
	f.lists.invalidate()
	writeRawJSON(rq.w, http.StatusOK, p.json(rq.base, false))
}
