package gitlabfake_test

import (
	"strings"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/vibe-coder-biz/idp/internal/gitlabfake"
)

func TestProjectAccessTokens(t *testing.T) {
	f, clk := startManaged(t, gitlabfake.Options{})
	c := client(t, f)
	p := create(t, c, f, "gitops", "hello")
	other := create(t, c, f, "gitops", "other")
	expires := gitlab.ISOTime(t0.AddDate(0, 1, 0))
	tok, resp, err := c.ProjectAccessTokens.CreateProjectAccessToken(p.ID, &gitlab.CreateProjectAccessTokenOptions{
		Name: gitlab.Ptr("ci"), Scopes: &[]string{"api", "write_repository"},
		AccessLevel: gitlab.Ptr(gitlab.MaintainerPermissions), ExpiresAt: &expires,
	})
	if err != nil || resp.StatusCode != 201 || tok.Token == "" || !tok.Active || tok.AccessLevel != 40 {
		t.Fatalf("create: %+v, %v", tok, err)
	}
	// The token shows once; reads do not carry it.
	read, _, err := c.ProjectAccessTokens.GetProjectAccessToken(p.ID, tok.ID)
	if err != nil || read.Token != "" || read.Name != "ci" {
		t.Fatalf("get: %+v, %v", read, err)
	}
	// Its bot user belongs to this project only.
	code, body := send(t, "GET", f.APIURL()+"/user", tok.Token, nil)
	if code != 200 || !strings.Contains(body, `"bot":true`) || !strings.Contains(body, `"username":"project_`+itoa(p.ID)+`_bot_`) {
		t.Fatalf("GET /user as the bot: %d %s", code, body)
	}
	if code, _ := send(t, "GET", f.APIURL()+"/projects/"+itoa(p.ID), tok.Token, nil); code != 200 {
		t.Fatalf("own project: %d", code)
	}
	code, body = send(t, "GET", f.APIURL()+"/projects/"+itoa(other.ID), tok.Token, nil)
	expectBody(t, "other project", code, body, 404, `{"message":"404 Project Not Found"}`)
	code, body = send(t, "GET", f.APIURL()+"/groups/gitops/projects", tok.Token, nil)
	expectBody(t, "the group", code, body, 404, `{"message":"404 Group Not Found"}`)

	// Expired and revoked tokens are refused outright.
	clk.Advance(32 * 24 * time.Hour)
	code, body = send(t, "GET", f.APIURL()+"/user", tok.Token, nil)
	expectBody(t, "expired", code, body, 401, `{"message":"401 Unauthorized"}`)
	clk.Advance(-32 * 24 * time.Hour)
	if _, err := c.ProjectAccessTokens.RevokeProjectAccessToken(p.ID, tok.ID); err != nil {
		t.Fatalf("revoke: %v", err)
	}
	code, body = send(t, "GET", f.APIURL()+"/user", tok.Token, nil)
	expectBody(t, "revoked", code, body, 401, `{"message":"401 Unauthorized"}`)
	list, _, err := c.ProjectAccessTokens.ListProjectAccessTokens(p.ID, nil)
	if err != nil || len(list) != 1 || !list[0].Revoked || list[0].Active {
		t.Fatalf("list after revoke: %+v, %v", list, err)
	}

	// A read_api token may read but not write.
	ro, _, err := c.ProjectAccessTokens.CreateProjectAccessToken(p.ID, &gitlab.CreateProjectAccessTokenOptions{
		Name: gitlab.Ptr("ro"), Scopes: &[]string{"read_api"}, ExpiresAt: &expires,
	})
	if err != nil {
		t.Fatal(err)
	}
	code, body = send(t, "POST", f.APIURL()+"/projects/"+itoa(p.ID)+"/variables", ro.Token, map[string]string{"key": "K", "value": "v"})
	if code != 403 || !strings.Contains(body, `"error":"insufficient_scope"`) {
		t.Fatalf("write with read_api: %d %s", code, body)
	}
}

func TestAccessTokenRefusals(t *testing.T) {
	com, _ := startManaged(t, gitlabfake.Options{GitLabCom: true})
	p := create(t, client(t, com), com, "gitops", "hello")
	api := com.APIURL() + "/projects/" + itoa(p.ID) + "/access_tokens"
	for name, tc := range map[string]struct {
		body   map[string]any
		status int
		want   string
	}{
		"no expiry on .com": {map[string]any{"name": "t", "scopes": []string{"api"}}, 400, `{"error":"expires_at is missing"}`},
		"over 365 days":     {map[string]any{"name": "t", "scopes": []string{"api"}, "expires_at": t0.AddDate(0, 0, 366).Format(time.DateOnly)}, 400, `{"message":"400 Bad request - Expires at must expire in 365 days"}`},
		"unknown scope":     {map[string]any{"name": "t", "scopes": []string{"sudo"}, "expires_at": "2026-02-01"}, 400, `{"message":"400 Bad request - Scopes can only contain available scopes"}`},
		"no scopes":         {map[string]any{"name": "t", "expires_at": "2026-02-01"}, 400, `{"error":"scopes is missing"}`},
		"bad level":         {map[string]any{"name": "t", "scopes": []string{"api"}, "expires_at": "2026-02-01", "access_level": 60}, 400, `{"error":"access_level does not have a valid value"}`},
	} {
		t.Run(name, func(t *testing.T) {
			code, body := send(t, "POST", api, "", tc.body)
			expectBody(t, name, code, body, tc.status, tc.want)
		})
	}
	code, body := send(t, "POST", api, "", map[string]any{"name": "t", "scopes": []string{"api"}, "expires_at": t0.AddDate(0, 0, 365).Format(time.DateOnly)})
	if code != 201 {
		t.Fatalf("365 days: %d %s", code, body)
	}
	code, body = send(t, "DELETE", api+"/9999", "", nil)
	expectBody(t, "revoke unknown", code, body, 404, `{"message":"404 Could not find project access token with token_id: 9999 Not Found"}`)
}

func TestDeployTokens(t *testing.T) {
	f, _ := startManaged(t, gitlabfake.Options{})
	c := client(t, f)
	p := create(t, c, f, "gitops", "hello")
	dt, resp, err := c.DeployTokens.CreateProjectDeployToken(p.ID, &gitlab.CreateProjectDeployTokenOptions{
		Name: gitlab.Ptr("argocd"), Scopes: &[]string{"read_repository"},
	})
	if err != nil || resp.StatusCode != 201 || dt.Token == "" || !strings.HasPrefix(dt.Username, "gitlab+deploy-token-") {
		t.Fatalf("create: %+v, %v", dt, err)
	}
	code, body := send(t, "POST", f.APIURL()+"/projects/"+itoa(p.ID)+"/deploy_tokens", "", map[string]any{"name": "x", "scopes": []string{"write_repository"}})
	expectBody(t, "write_repository", code, body, 400, `{"error":"scopes does not have a valid value"}`)
	// Deploy tokens do not authenticate to the REST API.
	code, _ = send(t, "GET", f.APIURL()+"/projects/"+itoa(p.ID), dt.Token, nil)
	if code != 401 {
		t.Fatalf("REST with a deploy token: %d", code)
	}
}
