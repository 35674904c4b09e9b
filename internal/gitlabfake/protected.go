package gitlabfake

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
)

// Access levels a protected branch rule takes (ProtectedRefAccess).
var protectedLevels = []int64{accessNone, accessDeveloper, accessMaintainer, 60}

var accessDescriptions = map[int]string{
	accessNone: "No one", accessDeveloper: "Developers + Maintainers", accessMaintainer: "Maintainers", 60: "Admins",
}

type protectedBranch struct {
	id                    int64
	name                  string // a branch name or a wildcard such as release/*
	push, merge, unprotct int
	forcePush             bool
}

func (b *protectedBranch) matches(branch string) bool {
	if !strings.Contains(b.name, "*") {
		return b.name == branch
	}
	re := "^" + strings.ReplaceAll(regexp.QuoteMeta(b.name), `\*`, ".*") + "$"
	ok, _ := regexp.MatchString(re, branch)
	return ok
}

type accessLevelJSON struct {
	ID                     int64  `json:"id"`
	AccessLevel            int    `json:"access_level"`
	AccessLevelDescription string `json:"access_level_description"`
	DeployKeyID            *int64 `json:"deploy_key_id"`
	UserID                 *int64 `json:"user_id"`
	GroupID                *int64 `json:"group_id"`
}

// protectedBranchJSON is API::Entities::ProtectedBranch.
type protectedBranchJSON struct {
	ID                        int64             `json:"id"`
	Name                      string            `json:"name"`
	PushAccessLevels          []accessLevelJSON `json:"push_access_levels"`
	MergeAccessLevels         []accessLevelJSON `json:"merge_access_levels"`
	UnprotectAccessLevels     []accessLevelJSON `json:"unprotect_access_levels"`
	AllowForcePush            bool              `json:"allow_force_push"`
	CodeOwnerApprovalRequired bool              `json:"code_owner_approval_required"`
}

func (b *protectedBranch) entity() protectedBranchJSON {
	lvl := func(n int64, l int) []accessLevelJSON {
		return []accessLevelJSON{{ID: b.id*10 + n, AccessLevel: l, AccessLevelDescription: accessDescriptions[l]}}
	}
	e := protectedBranchJSON{
		ID: b.id, Name: b.name, PushAccessLevels: lvl(1, b.push), MergeAccessLevels: lvl(2, b.merge),
		UnprotectAccessLevels: []accessLevelJSON{}, AllowForcePush: b.forcePush,
	}
	if b.unprotct != 0 {
		e.UnprotectAccessLevels = lvl(3, b.unprotct)
	}
	return e
}

func (f *Fake) addProtection(p *project, b *protectedBranch) {
	f.nextVarID++
	b.id = f.nextVarID
	p.protected = append(p.protected, b)
}

// protectBranch serves POST /projects/:id/protected_branches.
func (f *Fake) protectBranch(rq *request) {
	in, ok := readParams(rq)
	if !ok || !in.require(rq, "name") {
		return
	}
	b := &protectedBranch{name: in.str("name"), push: accessMaintainer, merge: accessMaintainer}
	for _, l := range []struct {
		name string
		dst  *int
	}{{"push_access_level", &b.push}, {"merge_access_level", &b.merge}, {"unprotect_access_level", &b.unprotct}} {
		if !in.has(l.name) {
			continue
		}
		n, ok := in.integer(rq, l.name)
		if !ok {
			return
		}
		if !slices.Contains(protectedLevels, n) {
			writeError(rq.w, http.StatusBadRequest, l.name+" does not have a valid value")
			return
		}
		*l.dst = int(n)
	}
	if b.forcePush, ok = in.boolean(rq, "allow_force_push"); !ok {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.managedProject(rq, accessMaintainer)
	if p == nil {
		return
	}
	if slices.ContainsFunc(p.protected, func(o *protectedBranch) bool { return o.name == b.name }) {
		writeMessage(rq.w, http.StatusConflict, "Protected branch '"+b.name+"' already exists")
		return
	}
	f.addProtection(p, b)
	writeJSON(rq.w, http.StatusCreated, b.entity())
}

// listProtectedBranches serves GET /projects/:id/protected_branches.
func (f *Fake) listProtectedBranches(rq *request) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	p := f.managedProject(rq, accessGuest)
	if p == nil {
		return
	}
	out := []protectedBranchJSON{}
	for _, b := range p.protected {
		out = append(out, b.entity())
	}
	writePage(rq, out)
}

func findProtection(p *project, name string) *protectedBranch {
	for _, b := range p.protected {
		if b.name == name {
			return b
		}
	}
	return nil
}

// getProtectedBranch serves GET /projects/:id/protected_branches/:name.
func (f *Fake) getProtectedBranch(rq *request) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	p := f.managedProject(rq, accessGuest)
	if p == nil {
		return
	}
	b := findProtection(p, rq.args[1])
	if b == nil {
		writeMessage(rq.w, http.StatusNotFound, "404 Not found")
		return
	}
	writeJSON(rq.w, http.StatusOK, b.entity())
}

// unprotectBranch serves DELETE /projects/:id/protected_branches/:name.
func (f *Fake) unprotectBranch(rq *request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.managedProject(rq, accessMaintainer)
	if p == nil {
		return
	}
	b := findProtection(p, rq.args[1])
	if b == nil {
		writeMessage(rq.w, http.StatusNotFound, "404 Not found")
		return
	}
	p.protected = slices.DeleteFunc(p.protected, func(o *protectedBranch) bool { return o == b })
	rq.w.WriteHeader(http.StatusNoContent)
}

// protectDefaultBranch applies gitlab.com's default branch protection when a
// project's default branch first appears: Maintainers push and merge, no
// force push (Projects::ProtectDefaultBranchService).
func (f *Fake) protectDefaultBranch(p *project) {
	if slices.ContainsFunc(p.protected, func(b *protectedBranch) bool { return b.matches(p.defaultBranch) }) {
		return
	}
	f.addProtection(p, &protectedBranch{name: p.defaultBranch, push: accessMaintainer, merge: accessMaintainer})
}

// isProtected reports whether a rule covers the branch. Projects made
// without a repository (fixtures) have no rules stored and keep GitLab's
// default: the default branch is protected.
func (p *project) isProtected(branch string) bool {
	if p.repo == "" && len(p.protected) == 0 {
		return branch == p.defaultBranch
	}
	return slices.ContainsFunc(p.protected, func(b *protectedBranch) bool { return b.matches(branch) })
}

// rules renders the protections for the pre-receive hook: one
// "pattern<TAB>push level<TAB>force push" line each, as a shell case pattern.
func (p *project) rules() string {
	var sb strings.Builder
	for _, b := range p.protected {
		force := "false"
		if b.forcePush {
			force = "true"
		}
		sb.WriteString(b.name + "\t" + itoaInt(b.push) + "\t" + force + "\n")
	}
	return sb.String()
}
