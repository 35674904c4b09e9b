package gitlabfake_test

import (
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/vibe-coder-biz/idp/internal/gitlabfake"
)

func TestProtectedBranches(t *testing.T) {
	f, _ := startManaged(t, gitlabfake.Options{})
	c := client(t, f)
	p := create(t, c, f, "apps", "hello")
	b, resp, err := c.ProtectedBranches.ProtectRepositoryBranches(p.ID, &gitlab.ProtectRepositoryBranchesOptions{
		Name: gitlab.Ptr("release/*"), PushAccessLevel: gitlab.Ptr(gitlab.DeveloperPermissions), AllowForcePush: gitlab.Ptr(true),
	})
	if err != nil || resp.StatusCode != 201 || b.PushAccessLevels[0].AccessLevel != 30 || b.MergeAccessLevels[0].AccessLevel != 40 || !b.AllowForcePush {
		t.Fatalf("protect: %+v, %v", b, err)
	}
	api := f.APIURL() + "/projects/" + itoa(p.ID) + "/protected_branches"
	code, body := send(t, "POST", api, "", map[string]any{"name": "release/*"})
	expectBody(t, "again", code, body, 409, `{"message":"Protected branch 'release/*' already exists"}`)
	code, body = send(t, "POST", api, "", map[string]any{"name": "main", "push_access_level": 50})
	expectBody(t, "bad level", code, body, 400, `{"error":"push_access_level does not have a valid value"}`)
	list, _, err := c.ProtectedBranches.ListProtectedBranches(p.ID, nil)
	if err != nil || len(list) != 1 {
		t.Fatalf("list: %v, %v", list, err)
	}
	if _, err := c.ProtectedBranches.UnprotectRepositoryBranches(p.ID, "release/*"); err != nil {
		t.Fatalf("unprotect: %v", err)
	}
	code, body = send(t, "GET", api+"/release%2F%2A", "", nil)
	expectBody(t, "gone", code, body, 404, `{"message":"404 Not found"}`)
}
