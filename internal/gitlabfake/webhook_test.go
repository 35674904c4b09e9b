package gitlabfake_test

import (
	"context"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/vibe-coder-biz/idp/internal/gitlabfake"
)

func TestPushEventDecodes(t *testing.T) {
	f, _ := start(t)
	id := f.AddProject(gitlabfake.ProjectSpec{Namespace: "gitops/team-a", Path: "hello-world", Files: map[string]string{"old.yaml": "x", "app.yaml": "v1"}}).ID
	first, _ := f.Project(id)
	sha := f.Commit(id, map[string]string{"app.yaml": "v2", "new.yaml": "n", "old.yaml": ""})

	payload := f.PushEvent(id)
	ev, err := gitlab.ParseWebhook(gitlab.EventTypePush, payload)
	if err != nil {
		t.Fatal(err)
	}
	push, ok := ev.(*gitlab.PushEvent)
	if !ok {
		t.Fatalf("parsed %T", ev)
	}
	web := f.URL() + "/gitops/team-a/hello-world"
	if push.ObjectKind != "push" || push.EventName != "push" || push.Before != first.HeadSHA || push.After != sha ||
		push.CheckoutSHA != sha || push.Ref != "refs/heads/main" || push.ProjectID != id || push.TotalCommitsCount != 1 {
		t.Fatalf("event: %+v", push)
	}
	p := push.Project
	if p.ID != id || p.Name != "hello-world" || p.PathWithNamespace != "gitops/team-a/hello-world" || p.WebURL != web ||
		p.GitHTTPURL != web+".git" || p.DefaultBranch != "main" || p.Namespace != "team-a" || p.GitSSHURL != "git@127.0.0.1:gitops/team-a/hello-world.git" {
		t.Fatalf("project: %+v", p)
	}
	if push.Repository == nil || push.Repository.GitHTTPURL != web+".git" || push.Repository.Homepage != web {
		t.Fatalf("repository: %+v", push.Repository)
	}
	if len(push.Commits) != 1 {
		t.Fatalf("commits: %d", len(push.Commits))
	}
	c := push.Commits[0]
	if c.ID != sha || c.Timestamp == nil || !c.Timestamp.Equal(t0) || c.URL != web+"/-/commit/"+sha ||
		strings.Join(c.Added, ",") != "new.yaml" || strings.Join(c.Modified, ",") != "app.yaml" || strings.Join(c.Removed, ",") != "old.yaml" {
		t.Fatalf("commit: %+v", c)
	}

	// The first push of a repository comes "from" the zero SHA.
	other := f.AddProject(gitlabfake.ProjectSpec{Namespace: "g", Path: "new", Files: map[string]string{"a": "b"}}).ID
	ev, _ = gitlab.ParseWebhook(gitlab.EventTypePush, f.PushEvent(other))
	if ev.(*gitlab.PushEvent).Before != strings.Repeat("0", 40) {
		t.Fatal("first push should start at the zero SHA")
	}

	req, err := f.PushEventRequest(context.Background(), id, "http://127.0.0.1:1/api/webhook", "s3cret")
	if err != nil {
		t.Fatal(err)
	}
	if gitlab.HookEventType(req) != gitlab.EventTypePush || req.Header.Get("X-Gitlab-Token") != "s3cret" || req.Method != "POST" {
		t.Fatalf("request headers: %v", req.Header)
	}
	if _, err := gitlab.ParseHook(gitlab.HookEventType(req), payload); err != nil {
		t.Fatal(err)
	}
}
