package gitlabfake

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// Scopes a project access token may carry (Gitlab::Auth resource bot scopes).
var accessTokenScopes = []string{
	"api", "read_api", "read_registry", "write_registry", "read_repository",
	"write_repository", "create_runner", "manage_runner", "ai_features", "k8s_proxy", "self_rotate",
}

// Scopes a deploy token may carry (DeployToken::AVAILABLE_SCOPES).
var deployTokenScopes = []string{
	"read_repository", "read_registry", "write_registry", "read_package_registry",
	"write_package_registry", "read_virtual_registry", "write_virtual_registry",
}

// maxTokenLifetime is gitlab.com's limit on an access token's expiry: at most
// 365 days ahead (PersonalAccessToken::MAX_PERSONAL_ACCESS_TOKEN_LIFETIME_IN_DAYS).
const maxTokenLifetime = 365 * 24 * time.Hour

// accessTokenJSON is API::Entities::ResourceAccessToken(WithToken).
type accessTokenJSON struct {
	ID          int64    `json:"id"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Revoked     bool     `json:"revoked"`
	CreatedAt   string   `json:"created_at"`
	Scopes      []string `json:"scopes"`
	UserID      int64    `json:"user_id"`
	LastUsedAt  *string  `json:"last_used_at"`
	Active      bool     `json:"active"`
	ExpiresAt   *string  `json:"expires_at"`
	AccessLevel int      `json:"access_level"`
	Token       string   `json:"token,omitempty"`
}

func (f *Fake) accessTokenEntity(t *token) accessTokenJSON {
	e := accessTokenJSON{
		ID: t.id, Name: t.name, Revoked: t.revoked, CreatedAt: gitlabTime(t.createdAt),
		Scopes: t.scopes, UserID: t.user.id, Active: t.active(f.now()), AccessLevel: t.accessLevel,
	}
	if t.expiresAt != nil {
		d := t.expiresAt.Format(time.DateOnly)
		e.ExpiresAt = &d
	}
	return e
}

// createAccessToken serves POST /projects/:id/access_tokens. Each token gets
// a bot user that is a member of this project only, at the token's role.
func (f *Fake) createAccessToken(rq *request) {
	in, ok := readParams(rq)
	if !ok || !in.require(rq, "name", "scopes") {
		return
	}
	if f.opts.GitLabCom && !in.require(rq, "expires_at") {
		return
	}
	level := int64(accessMaintainer)
	if in.has("access_level") {
		if level, ok = in.integer(rq, "access_level"); !ok {
			return
		}
		if !slices.Contains(memberLevels, level) {
			writeError(rq.w, http.StatusBadRequest, "access_level does not have a valid value")
			return
		}
	}
	var expires *time.Time
	if e := in.str("expires_at"); e != "" {
		d, err := time.Parse(time.DateOnly, e)
		if err != nil {
			writeError(rq.w, http.StatusBadRequest, "expires_at is invalid")
			return
		}
		expires = &d
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.managedProject(rq, accessMaintainer)
	if p == nil {
		return
	}
	if int(level) > f.accessLevel(rq.tok, p) {
		writeMessage(rq.w, http.StatusBadRequest, "400 Bad request - Access level of the token can't be greater the access level of the user who created the token")
		return
	}
	scopes := in.list("scopes")
	for _, s := range scopes {
		if !slices.Contains(accessTokenScopes, s) {
			writeMessage(rq.w, http.StatusBadRequest, "400 Bad request - Scopes can only contain available scopes")
			return
		}
	}
	now := f.now().UTC()
	if expires == nil {
		d := now.Add(maxTokenLifetime).Truncate(24 * time.Hour)
		expires = &d
	}
	if expires.After(now.Add(maxTokenLifetime)) {
		writeMessage(rq.w, http.StatusBadRequest, "400 Bad request - Expires at must expire in 365 days")
		return
	}
	f.nextUID++
	bot := &user{
		id: f.nextUID, name: in.str("name"), bot: true, project: p, createdAt: now, groups: map[*group]int{},
		username: fmt.Sprintf("project_%d_bot_%s", p.id, f.randomSecret(32)),
	}
	f.users[bot.id] = bot
	p.members[bot] = int(level)
	t := f.newToken(bot, p, in.str("name"), scopes, int(level), expires)
	e := f.accessTokenEntity(t)
	e.Token = t.secret
	writeJSON(rq.w, http.StatusCreated, e)
}

// projectTokens are p's deploy tokens or its access tokens, by id.
func (f *Fake) projectTokens(p *project, deploy bool) []*token {
	var out []*token
	for _, t := range f.tokens {
		if t.project == p && t.deploy == deploy {
			out = append(out, t)
		}
	}
	slices.SortFunc(out, func(a, b *token) int { return compareInt(a.id, b.id) })
	return out
}

func (f *Fake) projectAccessTokens(p *project) []*token { return f.projectTokens(p, false) }

// listAccessTokens serves GET /projects/:id/access_tokens.
func (f *Fake) listAccessTokens(rq *request) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	p := f.managedProject(rq, accessMaintainer)
	if p == nil {
		return
	}
	out := []accessTokenJSON{}
	for _, t := range f.projectAccessTokens(p) {
		out = append(out, f.accessTokenEntity(t))
	}
	writePage(rq, out)
}

func (f *Fake) findAccessToken(p *project, id string) *token {
	for _, t := range f.projectAccessTokens(p) {
		if strconv.FormatInt(t.id, 10) == id {
			return t
		}
	}
	return nil
}

// getAccessToken serves GET /projects/:id/access_tokens/:token_id.
func (f *Fake) getAccessToken(rq *request) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	p := f.managedProject(rq, accessMaintainer)
	if p == nil {
		return
	}
	t := f.findAccessToken(p, rq.args[1])
	if t == nil {
		notFound(rq.w, "Access token")
		return
	}
	writeJSON(rq.w, http.StatusOK, f.accessTokenEntity(t))
}

// revokeAccessToken serves DELETE /projects/:id/access_tokens/:token_id. The
// token stays listed, revoked; the bot leaves the project.
func (f *Fake) revokeAccessToken(rq *request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.managedProject(rq, accessMaintainer)
	if p == nil {
		return
	}
	t := f.findAccessToken(p, rq.args[1])
	if t == nil || t.revoked {
		notFound(rq.w, "Could not find project access token with token_id: "+rq.args[1])
		return
	}
	t.revoked = true
	delete(p.members, t.user)
	rq.w.WriteHeader(http.StatusNoContent)
}

// deployTokenJSON is API::Entities::DeployToken(WithToken).
type deployTokenJSON struct {
	ID        int64    `json:"id"`
	Name      string   `json:"name"`
	Username  string   `json:"username"`
	ExpiresAt *string  `json:"expires_at"`
	Scopes    []string `json:"scopes"`
	Revoked   bool     `json:"revoked"`
	Expired   bool     `json:"expired"`
	Token     string   `json:"token,omitempty"`
}

func (f *Fake) deployTokenEntity(t *token) deployTokenJSON {
	e := deployTokenJSON{ID: t.id, Name: t.name, Username: t.username, Scopes: t.scopes, Revoked: t.revoked}
	if t.expiresAt != nil {
		s := gitlabTime(*t.expiresAt)
		e.ExpiresAt = &s
		e.Expired = !f.now().Before(*t.expiresAt)
	}
	return e
}

// createDeployToken serves POST /projects/:id/deploy_tokens. Deploy tokens
// authenticate to git (username and token both) and never push.
func (f *Fake) createDeployToken(rq *request) {
	in, ok := readParams(rq)
	if !ok || !in.require(rq, "name", "scopes") {
		return
	}
	scopes := in.list("scopes")
	for _, s := range scopes {
		if !slices.Contains(deployTokenScopes, s) {
			writeError(rq.w, http.StatusBadRequest, "scopes does not have a valid value")
			return
		}
	}
	var expires *time.Time
	if e := in.str("expires_at"); e != "" {
		d, err := time.Parse(time.RFC3339, e)
		if err != nil {
			if d, err = time.Parse(time.DateOnly, e); err != nil {
				writeError(rq.w, http.StatusBadRequest, "expires_at is invalid")
				return
			}
		}
		expires = &d
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.managedProject(rq, accessMaintainer)
	if p == nil {
		return
	}
	f.nextTokenID++
	t := &token{
		id: f.nextTokenID, name: in.str("name"), project: p, scopes: scopes, deploy: true,
		createdAt: f.now(), expiresAt: expires, secret: "gldt-" + f.randomSecret(20),
		username: in.str("username"),
	}
	if t.username == "" {
		t.username = "gitlab+deploy-token-" + strconv.FormatInt(t.id, 10)
	}
	f.tokens[t.secret] = t
	e := f.deployTokenEntity(t)
	e.Token = t.secret
	writeJSON(rq.w, http.StatusCreated, e)
}

func (f *Fake) deployTokens(p *project) []*token { return f.projectTokens(p, true) }

// listDeployTokens serves GET /projects/:id/deploy_tokens.
func (f *Fake) listDeployTokens(rq *request) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	p := f.managedProject(rq, accessMaintainer)
	if p == nil {
		return
	}
	out := []deployTokenJSON{}
	for _, t := range f.deployTokens(p) {
		out = append(out, f.deployTokenEntity(t))
	}
	writePage(rq, out)
}

// deleteDeployToken serves DELETE /projects/:id/deploy_tokens/:token_id.
func (f *Fake) deleteDeployToken(rq *request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.managedProject(rq, accessMaintainer)
	if p == nil {
		return
	}
	for _, t := range f.deployTokens(p) {
		if strconv.FormatInt(t.id, 10) == rq.args[1] {
			delete(f.tokens, t.secret)
			rq.w.WriteHeader(http.StatusNoContent)
			return
		}
	}
	notFound(rq.w, "Deploy Token")
}
