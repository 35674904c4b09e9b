package gitlabfake_test

import (
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/vibe-coder-biz/idp/internal/gitlabfake"
)

func TestMembersAndSharing(t *testing.T) {
	f, _ := startManaged(t, gitlabfake.Options{})
	c := client(t, f)
	p := create(t, c, f, "apps", "hello")
	alice, _ := f.AddUser("alice")
	apps, _, _ := c.Namespaces.GetNamespace("apps")

	m, resp, err := c.ProjectMembers.AddProjectMember(p.ID, &gitlab.AddProjectMemberOptions{UserID: alice, AccessLevel: gitlab.Ptr(gitlab.DeveloperPermissions)})
	if err != nil || resp.StatusCode != 201 || m.Username != "alice" || m.AccessLevel != gitlab.DeveloperPermissions {
		t.Fatalf("add member: %+v, %v", m, err)
	}
	api := f.APIURL() + "/projects/" + itoa(p.ID)
	for name, tc := range map[string]struct {
		body   map[string]any
		status int
		want   string
	}{
		"again":         {map[string]any{"user_id": alice, "access_level": 30}, 409, `{"message":"Member already exists"}`},
		"unknown user":  {map[string]any{"user_id": 9999, "access_level": 30}, 404, `{"message":"404 User Not Found"}`},
		"bad level":     {map[string]any{"user_id": alice, "access_level": 35}, 400, `{"error":"access_level does not have a valid value"}`},
		"no level":      {map[string]any{"user_id": alice}, 400, `{"error":"access_level is missing"}`},
		"no user":       {map[string]any{"access_level": 30}, 400, `{"error":"user_id, username are missing, exactly one parameter must be provided"}`},
		"share unknown": {map[string]any{"group_id": 9999, "group_access": 30}, 404, `{"message":"404 Group Not Found"}`},
		"share by path": {map[string]any{"group_id": "gitops", "group_access": 30}, 400, `{"error":"group_id is invalid"}`},
		"share own":     {map[string]any{"group_id": apps.ID, "group_access": 30}, 409, `{"message":"Project cannot be shared with the group it is in or one of its ancestors."}`},
	} {
		t.Run(name, func(t *testing.T) {
			path := "/members"
			if _, ok := tc.body["group_access"]; ok {
				path = "/share"
			}
			code, body := send(t, "POST", api+path, "", tc.body)
			expectBody(t, name, code, body, tc.status, tc.want)
		})
	}

	gitops, _, _ := c.Namespaces.GetNamespace("gitops")
	if _, err := c.Projects.ShareProjectWithGroup(p.ID, &gitlab.ShareWithGroupOptions{GroupID: &gitops.ID, GroupAccess: gitlab.Ptr(gitlab.ReporterPermissions)}); err != nil {
		t.Fatalf("share: %v", err)
	}
	code, body := send(t, "POST", api+"/share", "", map[string]any{"group_id": gitops.ID, "group_access": 20})
	expectBody(t, "share again", code, body, 409, `{"message":"Group already shared with this group"}`)
	got, _, err := c.Projects.GetProject(p.ID, nil)
	if err != nil || len(got.SharedWithGroups) != 1 || got.SharedWithGroups[0].GroupAccessLevel != 20 {
		t.Fatalf("shared_with_groups: %+v, %v", got.SharedWithGroups, err)
	}

	// members/all: the bot owns the group, alice is a direct Developer, and a
	// member of the group shared in counts at most at the share's level.
	bob, _ := f.AddUser("bob")
	f.AddGroupMember("gitops", bob, 40)
	all, _, err := c.ProjectMembers.ListAllProjectMembers(p.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	levels := map[string]gitlab.AccessLevelValue{}
	for _, m := range all {
		levels[m.Username] = m.AccessLevel
	}
	want := map[string]gitlab.AccessLevelValue{gitlabfake.BotUsername: 50, "alice": 30, "bob": 20}
	if len(levels) != len(want) {
		t.Fatalf("members/all: %v", levels)
	}
	for u, l := range want {
		if levels[u] != l {
			t.Fatalf("members/all: %v, want %v", levels, want)
		}
	}
}
