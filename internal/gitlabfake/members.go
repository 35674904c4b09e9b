package gitlabfake

import (
	"net/http"
	"slices"
	"time"
)

var memberLevels = []int64{accessGuest, 15, accessReporter, accessDeveloper, accessMaintainer, accessOwner}

// memberJSON is API::Entities::Member.
type memberJSON struct {
	userJSON
	AccessLevel     int     `json:"access_level"`
	ExpiresAt       *string `json:"expires_at"`
	MembershipState string  `json:"membership_state"`
}

func member(u *user, level int, base string) memberJSON {
	return memberJSON{userJSON: u.entity(base), AccessLevel: level, MembershipState: "active"}
}

// SetGroupVisibility fixes a group's visibility, which new projects in it
// cannot exceed (GitLab lowers theirs to it).
func (f *Fake) SetGroupVisibility(groupPath, visibility string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ensureGroup(groupPath).visibility = visibility
	f.lists.invalidate()
}

// managedProject resolves :id for a call that needs at least the given role:
// 404 when the caller cannot see the project, 403 when the role is short.
func (f *Fake) managedProject(rq *request, level int) *project {
	p := f.findProject(rq.args[0])
	if p == nil || f.accessLevel(rq.tok, p) == accessNone {
		notFound(rq.w, "Project")
		return nil
	}
	if f.accessLevel(rq.tok, p) < level {
		writeMessage(rq.w, http.StatusForbidden, "403 Forbidden")
		return nil
	}
	return p
}

// addMember serves POST /projects/:id/members.
func (f *Fake) addMember(rq *request) {
	in, ok := readParams(rq)
	if !ok {
		return
	}
	if !in.has("user_id") && !in.has("username") {
		writeError(rq.w, http.StatusBadRequest, "user_id, username are missing, exactly one parameter must be provided")
		return
	}
	if !in.require(rq, "access_level") {
		return
	}
	level, ok := in.integer(rq, "access_level")
	if !ok {
		return
	}
	if !slices.Contains(memberLevels, level) {
		writeError(rq.w, http.StatusBadRequest, "access_level does not have a valid value")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.managedProject(rq, accessMaintainer)
	if p == nil {
		return
	}
	u := f.findUser(in.str("user_id"))
	if in.has("username") {
		u = nil
		for _, c := range f.users {
			if c.username == in.str("username") {
				u = c
			}
		}
	}
	if u == nil {
		notFound(rq.w, "User")
		return
	}
	if _, dup := p.members[u]; dup {
		writeMessage(rq.w, http.StatusConflict, "Member already exists")
		return
	}
	if level == accessOwner && f.accessLevel(rq.tok, p) < accessOwner {
		writeMessage(rq.w, http.StatusForbidden, "403 Forbidden")
		return
	}
	p.members[u] = int(level)
	writeJSON(rq.w, http.StatusCreated, member(u, int(level), rq.base))
}

// listMembers serves GET /projects/:id/members: direct members only.
func (f *Fake) listMembers(rq *request) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	p := f.managedProject(rq, accessGuest)
	if p == nil {
		return
	}
	f.writeMembers(rq, p, false)
}

// listAllMembers serves GET /projects/:id/members/all: direct members,
// members of the ancestor groups (the bot owns them all) and of the groups
// the project is shared with, each at their highest effective level.
func (f *Fake) listAllMembers(rq *request) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	p := f.managedProject(rq, accessGuest)
	if p == nil {
		return
	}
	f.writeMembers(rq, p, true)
}

func (f *Fake) writeMembers(rq *request, p *project, all bool) {
	levels := map[*user]int{}
	for u, l := range p.members {
		levels[u] = l
	}
	if all {
		for _, u := range f.users {
			t := &token{user: u}
			if u.bot && u.project != p {
				continue
			}
			if l := f.accessLevel(t, p); l > 0 {
				levels[u] = l
			}
		}
	}
	users := make([]*user, 0, len(levels))
	for u := range levels {
		users = append(users, u)
	}
	slices.SortFunc(users, func(a, b *user) int { return compareInt(a.id, b.id) })
	out := make([]memberJSON, len(users))
	for i, u := range users {
		out[i] = member(u, levels[u], rq.base)
	}
	writePage(rq, out)
}

// projectGroupLinkJSON is API::Entities::ProjectGroupLink.
type projectGroupLinkJSON struct {
	ID          int64   `json:"id"`
	ProjectID   int64   `json:"project_id"`
	GroupID     int64   `json:"group_id"`
	GroupAccess int     `json:"group_access"`
	ExpiresAt   *string `json:"expires_at"`
}

// shareProject serves POST /projects/:id/share.
func (f *Fake) shareProject(rq *request) {
	in, ok := readParams(rq)
	if !ok || !in.require(rq, "group_id", "group_access") {
		return
	}
	groupID, ok := in.integer(rq, "group_id")
	if !ok {
		return
	}
	level, ok := in.integer(rq, "group_access")
	if !ok {
		return
	}
	if !slices.Contains(memberLevels, level) {
		writeError(rq.w, http.StatusBadRequest, "group_access does not have a valid value")
		return
	}
	var expires *string
	if e := in.str("expires_at"); e != "" {
		if _, err := time.Parse(time.DateOnly, e); err != nil {
			writeError(rq.w, http.StatusBadRequest, "expires_at is invalid")
			return
		}
		expires = &e
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.managedProject(rq, accessMaintainer)
	if p == nil {
		return
	}
	g := f.groups[groupID]
	if g == nil || g.kind == "user" {
		notFound(rq.w, "Group")
		return
	}
	if slices.Contains(p.sharedWith, g) {
		writeMessage(rq.w, http.StatusConflict, "Group already shared with this group")
		return
	}
	for a := p.ns; a != nil; a = a.parent {
		if a == g {
			writeMessage(rq.w, http.StatusConflict, "Project cannot be shared with the group it is in or one of its ancestors.")
			return
		}
	}
	f.share(p, g)
	p.shareLevels[g] = int(level)
	f.lists.invalidate()
	writeJSON(rq.w, http.StatusCreated, projectGroupLinkJSON{
		ID: int64(len(p.sharedWith)) + p.id*1000, ProjectID: p.id, GroupID: g.id, GroupAccess: int(level), ExpiresAt: expires,
	})
}
