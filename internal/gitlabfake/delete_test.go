package gitlabfake_test

import (
	"net/url"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/vibe-coder-biz/idp/internal/gitlabfake"
)

func TestDeleteMarksThenRemovesPermanently(t *testing.T) {
	f, _ := startManaged(t, gitlabfake.Options{})
	c := client(t, f)
	p := create(t, c, f, "gitops", "hello")
	api := f.APIURL() + "/projects/" + itoa(p.ID)

	code, body := send(t, "DELETE", api+"?permanently_remove=true&full_path=gitops%2Fhello", "", nil)
	expectBody(t, "unmarked", code, body, 400, `{"message":"Project must be marked for deletion first."}`)

	code, body = send(t, "DELETE", api, "", nil)
	expectBody(t, "mark", code, body, 202, `{"message":"202 Accepted"}`)
	code, body = send(t, "DELETE", api, "", nil)
	expectBody(t, "mark again", code, body, 400, `{"message":"Project has been already marked for deletion"}`)

	// Marking renames the project, archives it and frees its path.
	marked, _, err := c.Projects.GetProject(p.ID, nil)
	renamed := "gitops/hello-deletion_scheduled-" + itoa(p.ID)
	if err != nil || marked.PathWithNamespace != renamed || !marked.Archived || marked.MarkedForDeletionOn == nil {
		t.Fatalf("marked: %+v, %v", marked, err)
	}
	if _, _, err := c.Projects.GetProject("gitops/hello", nil); statusOf(t, err) != 404 {
		t.Fatalf("old path: %v", err)
	}
	again := create(t, c, f, "gitops", "hello")

	code, body = send(t, "DELETE", api+"?permanently_remove=true&full_path=gitops%2Fhello", "", nil)
	expectBody(t, "old full_path", code, body, 400, "{\"message\":\"`full_path` is incorrect. You must enter the complete path for the project.\"}")

	_, err = c.Projects.DeleteProject(p.ID, &gitlab.DeleteProjectOptions{PermanentlyRemove: gitlab.Ptr(true), FullPath: &renamed})
	if err != nil {
		t.Fatalf("permanent removal: %v", err)
	}
	// Gone everywhere: REST, listings, GraphQL, git.
	if _, _, err := c.Projects.GetProject(p.ID, nil); statusOf(t, err) != 404 {
		t.Fatalf("after removal: %v", err)
	}
	listed, _, err := c.Groups.ListGroupProjects("gitops", nil)
	if err != nil || len(listed) != 1 || listed[0].ID != again.ID {
		t.Fatalf("listing: %v, %v", projectIDs(listed), err)
	}
	code, body = send(t, "POST", f.URL()+"/api/graphql", "", map[string]string{"query": `{ project(fullPath: "` + renamed + `") { id } }`})
	if code != 200 || !strings.Contains(body, `"project":null`) {
		t.Fatalf("graphql: %d %s", code, body)
	}
	u, _ := url.Parse(f.URL() + "/" + renamed + ".git/info/refs?service=git-upload-pack")
	u.User = url.UserPassword("x", token)
	resp, _ := get(t, "GET", u.String(), map[string]string{})
	if resp.StatusCode != 404 {
		t.Fatalf("git after removal: %d", resp.StatusCode)
	}
}

func TestDeleteNeedsOwner(t *testing.T) {
	f, _ := startManaged(t, gitlabfake.Options{})
	c := client(t, f)
	p := create(t, c, f, "gitops", "hello")
	id, dev := f.AddUser("dev")
	f.AddGroupMember("gitops", id, 30)
	_, stranger := f.AddUser("stranger")
	code, body := send(t, "DELETE", f.APIURL()+"/projects/"+itoa(p.ID), dev, nil)
	expectBody(t, "developer", code, body, 403, `{"message":"403 Forbidden"}`)
	code, body = send(t, "DELETE", f.APIURL()+"/projects/"+itoa(p.ID), stranger, nil)
	expectBody(t, "stranger", code, body, 404, `{"message":"404 Project Not Found"}`)
}
