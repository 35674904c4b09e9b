package gitlabfake_test

import (
	"encoding/json"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/vibe-coder-biz/idp/internal/gitlabfake"
)

func TestCreateProjectAnswersAFullProject(t *testing.T) {
	f, _ := startManaged(t, gitlabfake.Options{})
	c := client(t, f)
	ns, _, err := c.Namespaces.GetNamespace("gitops")
	if err != nil {
		t.Fatal(err)
	}
	p, resp, err := c.Projects.CreateProject(&gitlab.CreateProjectOptions{
		NamespaceID: &ns.ID, Name: gitlab.Ptr("Hello World"), Path: gitlab.Ptr("hello-world"),
		Description: gitlab.Ptr("the hello app"), Topics: &[]string{"payments", "backstage"},
		Visibility: gitlab.Ptr(gitlab.PrivateVisibility), InitializeWithReadme: gitlab.Ptr(false),
	})
	if err != nil || resp.StatusCode != 201 {
		t.Fatalf("create: %v", err)
	}
	want := map[string]any{
		"path_with_namespace": "gitops/hello-world", "http_url_to_repo": f.URL() + "/gitops/hello-world.git",
		"web_url": f.URL() + "/gitops/hello-world", "visibility": "private", "default_branch": "main",
		"creator_id": gitlabfake.BotUserID, "namespace.full_path": "gitops", "description": "the hello app",
	}
	got := map[string]any{
		"path_with_namespace": p.PathWithNamespace, "http_url_to_repo": p.HTTPURLToRepo, "web_url": p.WebURL,
		"visibility": string(p.Visibility), "default_branch": p.DefaultBranch, "creator_id": int(p.CreatorID),
		"namespace.full_path": p.Namespace.FullPath, "description": p.Description,
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: got %v, want %v", k, got[k], v)
		}
	}
	if strings.Join(p.Topics, ",") != "backstage,payments" || p.CreatedAt == nil {
		t.Errorf("topics %v, created_at %v", p.Topics, p.CreatedAt)
	}
	// It is listed, found by search, and visible to GraphQL like any other.
	listed, _, err := c.Groups.ListGroupProjects("gitops", &gitlab.ListGroupProjectsOptions{Search: gitlab.Ptr("hello")})
	if err != nil || len(listed) != 1 || listed[0].ID != p.ID {
		t.Fatalf("search listing: %v, %v", projectIDs(listed), err)
	}
	code, body := send(t, "POST", f.URL()+"/api/graphql", "", map[string]string{"query": `{ project(fullPath: "gitops/hello-world") { id } }`})
	if code != 200 || !strings.Contains(body, `"gid://gitlab/Project/`+itoa(p.ID)+`"`) {
		t.Fatalf("graphql: %d %s", code, body)
	}
	// PUT changes topics and description.
	up, _, err := c.Projects.EditProject(p.ID, &gitlab.EditProjectOptions{Topics: &[]string{"x"}, Description: gitlab.Ptr("new")})
	if err != nil || strings.Join(up.Topics, ",") != "x" || up.Description != "new" {
		t.Fatalf("edit: %+v, %v", up, err)
	}
}

func TestCreateProjectRefusesAsGitLabDoes(t *testing.T) {
	f, _ := startManaged(t, gitlabfake.Options{})
	com, _ := startManaged(t, gitlabfake.Options{GitLabCom: true})
	c := client(t, f)
	create(t, c, f, "gitops", "taken")
	gitops, _, _ := c.Namespaces.GetNamespace("gitops")
	f.AddGroup("open")
	f.SetGroupVisibility("open", "public")
	com.AddGroup("open")
	com.SetGroupVisibility("open", "public")
	_, stranger := f.AddUser("stranger")
	nsID := func(fk *gitlabfake.Fake, path string) int64 {
		ns, _, err := client(t, fk).Namespaces.GetNamespace(path)
		if err != nil {
			t.Fatal(err)
		}
		return ns.ID
	}
	for name, tc := range map[string]struct {
		fake   *gitlabfake.Fake
		tok    string
		body   map[string]any
		status int
		want   string
	}{
		"path taken":         {f, "", map[string]any{"namespace_id": gitops.ID, "path": "taken"}, 400, `{"message":{"name":["has already been taken"],"path":["has already been taken"]}}`},
		"path invalid":       {f, "", map[string]any{"namespace_id": gitops.ID, "path": "-bad", "name": "bad"}, 400, `{"message":{"path":["can contain only letters, digits, '_', '-' and '.'. Cannot start with '-', end in '.git' or end in '.atom'"]}}`},
		"path ends in .git":  {f, "", map[string]any{"namespace_id": gitops.ID, "path": "x.git", "name": "x"}, 400, `{"message":{"path":["can contain only letters, digits, '_', '-' and '.'. Cannot start with '-', end in '.git' or end in '.atom'"]}}`},
		"no name or path":    {f, "", map[string]any{"namespace_id": gitops.ID}, 400, `{"error":"name, path are missing, at least one parameter must be provided"}`},
		"bad visibility":     {f, "", map[string]any{"namespace_id": gitops.ID, "path": "v", "visibility": "secret"}, 400, `{"error":"visibility does not have a valid value"}`},
		"not a member":       {f, stranger, map[string]any{"namespace_id": gitops.ID, "path": "mine"}, 400, `{"message":{"namespace":["is not valid"]}}`},
		"internal on .com":   {com, "", map[string]any{"namespace_id": nsID(com, "open"), "path": "i", "visibility": "internal"}, 400, `{"message":{"visibility_level":["internal has been restricted by your GitLab administrator"]}}`},
		"namespace_id typed": {f, "", map[string]any{"namespace_id": "gitops", "path": "t"}, 400, `{"error":"namespace_id is invalid"}`},
	} {
		t.Run(name, func(t *testing.T) {
			code, body := send(t, "POST", tc.fake.APIURL()+"/projects", tc.tok, tc.body)
			expectBody(t, name, code, body, tc.status, tc.want)
		})
	}
	// Above the group's visibility is lowered to it, not refused
	// (Projects::CreateService), so internal in a private group on
	// gitlab.com is simply private.
	code, body := send(t, "POST", com.APIURL()+"/projects", "", map[string]any{"namespace_id": nsID(com, "gitops"), "path": "p", "visibility": "internal"})
	var p struct{ Visibility string }
	if code != 201 || json.Unmarshal([]byte(body), &p) != nil || p.Visibility != "private" {
		t.Fatalf("internal in a private group: %d %s", code, body)
	}
	// A form body works as well as JSON, with the path derived from the name.
	resp, body := postForm(t, f.APIURL()+"/projects", "namespace_id="+itoa(gitops.ID)+"&name=My+App")
	if resp != 201 || !strings.Contains(body, `"path":"my-app"`) {
		t.Fatalf("form: %d %s", resp, body)
	}
}
