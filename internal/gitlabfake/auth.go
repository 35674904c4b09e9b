package gitlabfake

import (
	"crypto/subtle"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Access levels, as GitLab numbers them.
const (
	accessNone       = 0
	accessGuest      = 10
	accessReporter   = 20
	accessDeveloper  = 30
	accessMaintainer = 40
	accessOwner      = 50
)

// BotUserID and BotUsername identify the user the main token (Options.Token)
// belongs to: the platform's bot, Owner of every group in the fake.
const (
	BotUserID   = 2
	BotUsername = "backstage-bot"
)

type user struct {
	id        int64
	username  string
	name      string
	bot       bool     // a project access token's user
	project   *project // the bot's project
	createdAt time.Time
	groups    map[*group]int // direct group memberships
	ns        *group         // personal namespace, made on first use
}

// token is a personal or project access token, or a deploy token.
type token struct {
	id          int64
	name        string
	secret      string
	user        *user // nil for a deploy token
	project     *project
	scopes      []string
	accessLevel int
	createdAt   time.Time
	expiresAt   *time.Time // a date, expiring at its start in UTC
	revoked     bool
	main        bool   // Options.Token: every scope, never expires
	deploy      bool   // a deploy token: git (and registries) only
	username    string // a deploy token's gitlab+deploy-token-N
}

func (t *token) has(scope string) bool { return t.main || slices.Contains(t.scopes, scope) }

func (t *token) active(now time.Time) bool {
	return !t.revoked && (t.expiresAt == nil || now.Before(*t.expiresAt))
}

// mainUser returns the bot user, creating it on first use.
func (f *Fake) mainUser() *user {
	if u, ok := f.users[BotUserID]; ok {
		return u
	}
	u := &user{id: BotUserID, username: BotUsername, name: "Backstage", createdAt: f.now(), groups: map[*group]int{}}
	f.users[u.id] = u
	if f.nextUID < u.id {
		f.nextUID = u.id
	}
	return u
}

// AddUser creates a user with a personal access token (scopes api,
// read_repository, write_repository) and returns the user's id and token.
// It has no memberships until AddGroupMember or POST .../members grants one.
func (f *Fake) AddUser(username string) (int64, string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.mainUser()
	f.nextUID++
	u := &user{id: f.nextUID, username: username, name: username, createdAt: f.now(), groups: map[*group]int{}}
	f.users[u.id] = u
	t := f.newToken(u, nil, "personal", []string{"api", "read_repository", "write_repository"}, accessNone, nil)
	return u.id, t.secret
}

// AddGroupMember gives the user a role (an access level such as 30 for
// Developer) in the group at groupPath, created if missing.
func (f *Fake) AddGroupMember(groupPath string, userID int64, accessLevel int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	u, ok := f.users[userID]
	if !ok {
		panic("gitlabfake: no such user")
	}
	u.groups[f.ensureGroup(groupPath)] = accessLevel
}

func (f *Fake) newToken(u *user, p *project, name string, scopes []string, level int, expires *time.Time) *token {
	f.nextTokenID++
	t := &token{
		id: f.nextTokenID, name: name, user: u, project: p, scopes: scopes,
		accessLevel: level, createdAt: f.now(), expiresAt: expires,
		secret: "glpat-" + f.randomSecret(20),
	}
	f.tokens[t.secret] = t
	return t
}

// lookupToken finds the token a request carries in any of the places GitLab
// documents. With authentication disabled every request acts as the bot.
func (f *Fake) lookupToken(r *http.Request) (*token, bool) {
	if f.opts.Token == "" {
		return f.mainToken(), true
	}
	candidates := []string{
		r.Header.Get("Private-Token"),
		r.URL.Query().Get("private_token"),
		r.URL.Query().Get("access_token"),
	}
	if a := r.Header.Get("Authorization"); len(a) > 7 && strings.EqualFold(a[:7], "Bearer ") {
		candidates = append(candidates, strings.TrimSpace(a[7:]))
	}
	for _, c := range candidates {
		if c == "" {
			continue
		}
		if subtle.ConstantTimeCompare([]byte(c), []byte(f.opts.Token)) == 1 {
			return f.mainToken(), true
		}
		if t, ok := f.tokens[c]; ok && !t.deploy && t.active(f.now()) {
			return t, true
		}
	}
	return nil, false
}

func (f *Fake) mainToken() *token {
	if f.main == nil {
		f.main = &token{name: "main", secret: f.opts.Token, user: f.mainUser(), main: true, accessLevel: accessOwner}
	}
	return f.main
}

// accessLevel is the token's role in the project: its bot's membership for
// a project access token, otherwise the user's direct, inherited or shared
// membership, whichever is highest. The bot user owns every group.
func (f *Fake) accessLevel(t *token, p *project) int {
	if t == nil || p == nil {
		return accessNone
	}
	if t.main || t.user != nil && t.user.id == BotUserID {
		return accessOwner
	}
	if t.deploy {
		if t.project == p {
			return accessReporter
		}
		return accessNone
	}
	u := t.user
	best := p.members[u]
	if u.ns == p.ns {
		best = max(best, accessOwner)
	}
	for g := p.ns; g != nil; g = g.parent {
		best = max(best, u.groups[g])
	}
	for _, g := range p.sharedWith {
		for ng := g; ng != nil; ng = ng.parent {
			if l := u.groups[ng]; l > 0 {
				best = max(best, min(l, p.shareLevel(g)))
			}
		}
	}
	return best
}

// groupAccess is the token's role in a group (direct or inherited).
func (f *Fake) groupAccess(t *token, g *group) int {
	if t == nil {
		return accessNone
	}
	if t.main || t.user != nil && t.user.id == BotUserID {
		return accessOwner
	}
	if t.deploy || t.user.bot {
		return accessNone
	}
	best := 0
	for ; g != nil; g = g.parent {
		best = max(best, t.user.groups[g])
	}
	return best
}

// scopeOK enforces the token's scopes on the REST API: reads need read_api
// or api, writes api. GitLab answers 403 insufficient_scope otherwise.
func scopeOK(w http.ResponseWriter, r *http.Request, t *token) bool {
	if t.main {
		return true
	}
	if t.has("api") || (r.Method == http.MethodGet || r.Method == http.MethodHead) && t.has("read_api") {
		return true
	}
	scope := "api"
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		scope = "api read_api"
	}
	w.Header().Set("WWW-Authenticate", `Bearer realm="Protected by OAuth 2.0", error="insufficient_scope", error_description="The request requires higher privileges than provided by the access token.", scope="`+scope+`"`)
	writeJSON(w, http.StatusForbidden, map[string]string{
		"error":             "insufficient_scope",
		"error_description": "The request requires higher privileges than provided by the access token.",
		"scope":             scope,
	})
	return false
}

// HasUser reports whether a user with the id exists.
func (f *Fake) HasUser(id int64) bool {
	f.mu.RLock()
	defer f.mu.RUnlock()
	_, ok := f.users[id]
	return ok
}
