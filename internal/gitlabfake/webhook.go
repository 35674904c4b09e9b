package gitlabfake

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// PushEventHeader is the X-Gitlab-Event value of a push webhook.
const PushEventHeader = "Push Hook"

const zeroSHA = "0000000000000000000000000000000000000000"

type hookProjectJSON struct {
	ID                int64   `json:"id"`
	Name              string  `json:"name"`
	Description       *string `json:"description"`
	WebURL            string  `json:"web_url"`
	AvatarURL         *string `json:"avatar_url"`
	GitSSHURL         string  `json:"git_ssh_url"`
	GitHTTPURL        string  `json:"git_http_url"`
	Namespace         string  `json:"namespace"`
	VisibilityLevel   int     `json:"visibility_level"`
	PathWithNamespace string  `json:"path_with_namespace"`
	DefaultBranch     string  `json:"default_branch"`
	CIConfigPath      *string `json:"ci_config_path"`
	Homepage          string  `json:"homepage"`
	URL               string  `json:"url"`
	SSHURL            string  `json:"ssh_url"`
	HTTPURL           string  `json:"http_url"`
}

type hookRepositoryJSON struct {
	Name            string  `json:"name"`
	URL             string  `json:"url"`
	Description     *string `json:"description"`
	Homepage        string  `json:"homepage"`
	GitHTTPURL      string  `json:"git_http_url"`
	GitSSHURL       string  `json:"git_ssh_url"`
	VisibilityLevel int     `json:"visibility_level"`
}

type hookAuthorJSON struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

type hookCommitJSON struct {
	ID        string         `json:"id"`
	Message   string         `json:"message"`
	Title     string         `json:"title"`
	Timestamp string         `json:"timestamp"`
	URL       string         `json:"url"`
	Author    hookAuthorJSON `json:"author"`
	Added     []string       `json:"added"`
	Modified  []string       `json:"modified"`
	Removed   []string       `json:"removed"`
}

type pushEventJSON struct {
	ObjectKind        string             `json:"object_kind"`
	EventName         string             `json:"event_name"`
	Before            string             `json:"before"`
	After             string             `json:"after"`
	Ref               string             `json:"ref"`
	RefProtected      bool               `json:"ref_protected"`
	CheckoutSHA       string             `json:"checkout_sha"`
	Message           *string            `json:"message"`
	UserID            int64              `json:"user_id"`
	UserName          string             `json:"user_name"`
	UserUsername      string             `json:"user_username"`
	UserEmail         string             `json:"user_email"`
	UserAvatar        string             `json:"user_avatar"`
	ProjectID         int64              `json:"project_id"`
	Project           hookProjectJSON    `json:"project"`
	Commits           []hookCommitJSON   `json:"commits"`
	TotalCommitsCount int                `json:"total_commits_count"`
	PushOptions       map[string]any     `json:"push_options"`
	Repository        hookRepositoryJSON `json:"repository"`
}

var visibilityLevels = map[string]int{"private": 0, "internal": 10, "public": 20}

// PushEvent returns the "Push Hook" payload GitLab would send for the latest
// commit on the project's default branch (one commit pushed). URLs use the
// configured base URL. It panics for an unknown or empty project.
func (f *Fake) PushEvent(projectID int64) []byte {
	f.mu.RLock()
	defer f.mu.RUnlock()
	p := f.mustProject(projectID)
	head := p.head()
	if head == nil {
		panic(fmt.Sprintf("gitlabfake: project %d has no commits to push", projectID))
	}
	base := f.baseURL
	if base == "" {
		base = "http://gitlab.example.com"
	}
	full := p.fullPath()
	web := base + "/" + full
	ssh := "git@" + hostOf(base) + ":" + full + ".git"
	var desc *string
	if p.description != "" {
		desc = &p.description
	}
	before := zeroSHA
	if head.parent != nil {
		before = head.parent.sha
	}
	ev := pushEventJSON{
		ObjectKind:   "push",
		EventName:    "push",
		Before:       before,
		After:        head.sha,
		Ref:          "refs/heads/" + p.defaultBranch,
		RefProtected: true, // the default branch is protected
		CheckoutSHA:  head.sha,
		UserID:       1,
		UserName:     head.authorName,
		UserUsername: "root",
		UserEmail:    head.authorEmail,
		UserAvatar:   "https://www.gravatar.com/avatar/00000000000000000000000000000000?s=80&d=identicon",
		ProjectID:    p.id,
		Project: hookProjectJSON{
			ID: p.id, Name: p.name, Description: desc, WebURL: web,
			GitSSHURL: ssh, GitHTTPURL: web + ".git", Namespace: p.ns.name,
			VisibilityLevel: visibilityLevels[p.visibility], PathWithNamespace: full,
			DefaultBranch: p.defaultBranch, Homepage: web, URL: ssh, SSHURL: ssh, HTTPURL: web + ".git",
		},
		Commits: []hookCommitJSON{{
			ID: head.sha, Message: head.message, Title: head.title,
			Timestamp: head.time.UTC().Format(time.RFC3339),
			URL:       web + "/-/commit/" + head.sha,
			Author:    hookAuthorJSON{Name: head.authorName, Email: head.authorEmail},
			Added:     nonNil(head.added), Modified: nonNil(head.modified), Removed: nonNil(head.removed),
		}},
		TotalCommitsCount: 1,
		PushOptions:       map[string]any{},
		Repository: hookRepositoryJSON{
			Name: p.name, URL: ssh, Description: desc, Homepage: web,
			GitHTTPURL: web + ".git", GitSSHURL: ssh, VisibilityLevel: visibilityLevels[p.visibility],
		},
	}
	b, err := json.Marshal(ev)
	if err != nil {
		panic(err)
	}
	return b
}

// PushEventRequest builds the POST GitLab's webhook delivery makes for
// PushEvent(projectID) to target, with X-Gitlab-Event, X-Gitlab-Token (when
// secret is set) and the other delivery headers. Sending it is up to the
// caller, which keeps the fake from ever dialling anything itself.
func (f *Fake) PushEventRequest(ctx context.Context, projectID int64, target, secret string) (*http.Request, error) {
	body := f.PushEvent(projectID)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	sum := sha1.Sum(body)
	id := hex.EncodeToString(sum[:16])
	uuid := strings.Join([]string{id[0:8], id[8:12], id[12:16], id[16:20], id[20:32]}, "-")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "GitLab/18.0.0")
	req.Header.Set("X-Gitlab-Event", PushEventHeader)
	req.Header.Set("X-Gitlab-Event-UUID", uuid)
	req.Header.Set("X-Gitlab-Webhook-UUID", uuid)
	req.Header.Set("X-Gitlab-Instance", f.URL())
	if secret != "" {
		req.Header.Set("X-Gitlab-Token", secret)
	}
	return req, nil
}
