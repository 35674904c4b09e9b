package server

import (
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"
)

// FuzzWebhookPayload: any body under any event header is either refused
// with an error or names at most one project; it never panics.
func FuzzWebhookPayload(f *testing.F) {
	f.Add("Push Hook", []byte(`{"object_kind":"push","ref":"refs/heads/main","project_id":7,"project":{"id":7,"default_branch":"main"}}`))
	f.Add("Push Hook", []byte(`{"object_kind":"push","project_id":-1}`))
	f.Add("System Hook", []byte(`{"event_name":"project_create","project_id":3}`))
	f.Add("Tag Push Hook", []byte(`{"object_kind":"tag_push"}`))
	f.Add("Push Hook", []byte(`[]`))
	f.Fuzz(func(t *testing.T, event string, body []byte) {
		id, err := projectOf(gitlab.EventType(event), body)
		if err != nil && id != 0 {
			t.Fatalf("error %v with project %d", err, id)
		}
		if id < fullRescan {
			t.Fatalf("project id %d", id)
		}
	})
}
