package gitlabfake

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// userJSON is API::Entities::UserPublic, what GET /user returns to a user
// about themselves, less the fields nothing here reads.
type userJSON struct {
	ID               int64   `json:"id"`
	Username         string  `json:"username"`
	Name             string  `json:"name"`
	State            string  `json:"state"`
	Locked           bool    `json:"locked"`
	AvatarURL        *string `json:"avatar_url"`
	WebURL           string  `json:"web_url"`
	CreatedAt        string  `json:"created_at"`
	Bot              bool    `json:"bot"`
	PublicEmail      *string `json:"public_email"`
	Email            string  `json:"email"`
	IsAdmin          bool    `json:"is_admin"`
	CanCreateGroup   bool    `json:"can_create_group"`
	CanCreateProject bool    `json:"can_create_project"`
	TwoFactorEnabled bool    `json:"two_factor_enabled"`
	External         bool    `json:"external"`
}

func (u *user) entity(base string) userJSON {
	return userJSON{
		ID: u.id, Username: u.username, Name: u.name, State: "active",
		WebURL: base + "/" + u.username, CreatedAt: gitlabTime(u.createdAt), Bot: u.bot,
		Email:          u.username + "@noreply.gitlab.example.com",
		CanCreateGroup: !u.bot, CanCreateProject: !u.bot,
	}
}

// getUser serves GET /user: the user the token belongs to. A deploy token
// never reaches it (it does not authenticate to the API).
func (f *Fake) getUser(rq *request) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	writeJSON(rq.w, http.StatusOK, rq.tok.user.entity(rq.base))
}

// namespaceDetailJSON is API::Entities::Namespace.
type namespaceDetailJSON struct {
	namespaceJSON
	MembersCountWithDescendants *int    `json:"members_count_with_descendants"`
	BillableMembersCount        *int    `json:"billable_members_count"`
	Plan                        string  `json:"plan"`
	TrialEndsOn                 *string `json:"trial_ends_on"`
	Trial                       bool    `json:"trial"`
	RootRepositorySize          int     `json:"root_repository_size"`
	ProjectsCount               int     `json:"projects_count"`
}

// getNamespace serves GET /namespaces/:id, by numeric id or URL-encoded full
// path: a group the caller is a member of, or the caller's own namespace.
// Anything else is 404, as GitLab does not tell strangers what exists.
func (f *Fake) getNamespace(rq *request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	id := rq.args[0]
	g := f.findGroup(id)
	if u := rq.tok.user; u != nil && !u.bot && (g == nil && strings.EqualFold(id, u.username) || g != nil && g == u.ns) {
		g = f.personalNamespace(u)
	}
	if g == nil || g.kind == "user" && g != rq.tok.user.ns || g.kind != "user" && f.groupAccess(rq.tok, g) == accessNone {
		notFound(rq.w, "Namespace")
		return
	}
	n := namespaceDetailJSON{namespaceJSON: g.entity(rq.base), Plan: "free", ProjectsCount: len(g.projects)}
	if g.kind != "user" {
		c := 1
		n.MembersCountWithDescendants, n.BillableMembersCount = &c, &c
	}
	writeJSON(rq.w, http.StatusOK, n)
}

// personalNamespace returns the user's namespace, made on first use so that
// fixtures that never ask for it keep their group ids.
func (f *Fake) personalNamespace(u *user) *group {
	if u.ns == nil {
		if g, taken := f.groupsBy[strings.ToLower(u.username)]; taken {
			return g // a group already holds the path; routes are unique
		}
		u.ns = f.ensureGroup(u.username)
		u.ns.kind, u.ns.visibility, u.ns.name = "user", "private", u.name
		u.ns.fullName = u.name
	}
	return u.ns
}

// randomSecret derives a token secret from the fake's token counter, so a
// run's tokens repeat from one run to the next like its ids do.
func (f *Fake) randomSecret(n int) string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("gitlabfake token %d %s", f.nextTokenID, f.opts.Token)))
	return hex.EncodeToString(sum[:])[:n]
}

func (f *Fake) findUser(id string) *user {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return nil
	}
	return f.users[n]
}
