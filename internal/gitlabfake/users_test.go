package gitlabfake_test

import (
	"testing"

	"github.com/vibe-coder-biz/idp/internal/gitlabfake"
)

func TestCurrentUserIsTheTokensUser(t *testing.T) {
	f, _ := startManaged(t, gitlabfake.Options{})
	c := client(t, f)
	u, _, err := c.Users.CurrentUser()
	if err != nil || u.ID != gitlabfake.BotUserID || u.Username != gitlabfake.BotUsername {
		t.Fatalf("GET /user: %+v, %v", u, err)
	}
	id, personal := f.AddUser("alice")
	code, body := send(t, "GET", f.APIURL()+"/user", personal, nil)
	if code != 200 || !contains(body, `"username":"alice"`) || !contains(body, `"id":`+itoa(id)) {
		t.Fatalf("GET /user as alice: %d %s", code, body)
	}
	resp, body := get(t, "GET", f.APIURL()+"/user", map[string]string{})
	expectBody(t, "anonymous", resp.StatusCode, body, 401, `{"message":"401 Unauthorized"}`)
}

func TestNamespacesByIDOrPath(t *testing.T) {
	f, _ := startManaged(t, gitlabfake.Options{})
	c := client(t, f)
	byPath, _, err := c.Namespaces.GetNamespace("gitops")
	if err != nil || byPath.Kind != "group" || byPath.FullPath != "gitops" {
		t.Fatalf("by path: %+v, %v", byPath, err)
	}
	byID, _, err := c.Namespaces.GetNamespace(byPath.ID)
	if err != nil || byID.FullPath != "gitops" {
		t.Fatalf("by id: %+v, %v", byID, err)
	}
	own, _, err := c.Namespaces.GetNamespace(gitlabfake.BotUsername)
	if err != nil || own.Kind != "user" || own.FullPath != gitlabfake.BotUsername {
		t.Fatalf("own namespace: %+v, %v", own, err)
	}
	f.AddGroup("elsewhere")
	_, alice := f.AddUser("alice")
	for name, tc := range map[string]struct{ id, tok string }{
		"unknown":             {"nope", ""},
		"unknown id":          {"9999", ""},
		"not a member":        {"elsewhere", alice},
		"another user's self": {gitlabfake.BotUsername, alice},
	} {
		t.Run(name, func(t *testing.T) {
			code, body := send(t, "GET", f.APIURL()+"/namespaces/"+tc.id, tc.tok, nil)
			expectBody(t, name, code, body, 404, `{"message":"404 Namespace Not Found"}`)
		})
	}
}

func TestUsersReadOnlyWhatTheyMaySee(t *testing.T) {
	f, _ := startManaged(t, gitlabfake.Options{})
	c := client(t, f)
	p := create(t, c, f, "gitops", "secret")
	id, member := f.AddUser("member")
	f.AddGroupMember("gitops", id, 20)
	_, stranger := f.AddUser("stranger")
	for name, tc := range map[string]struct {
		tok, path string
		status    int
	}{
		"member reads the project":   {member, "/projects/" + itoa(p.ID), 200},
		"member lists the group":     {member, "/groups/gitops/projects", 200},
		"stranger, project":          {stranger, "/projects/" + itoa(p.ID), 404},
		"stranger, project's files":  {stranger, "/projects/" + itoa(p.ID) + "/repository/tree", 404},
		"stranger, group":            {stranger, "/groups/gitops", 404},
		"stranger, unknown project":  {stranger, "/projects/9999", 404},
		"stranger, group's projects": {stranger, "/groups/gitops/projects", 404},
	} {
		t.Run(name, func(t *testing.T) {
			if code, body := send(t, "GET", f.APIURL()+tc.path, tc.tok, nil); code != tc.status {
				t.Fatalf("%s: %d %s", tc.path, code, body)
			}
		})
	}
}
