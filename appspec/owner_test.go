package appspec_test

import (
	"strings"
	"testing"

	"github.com/vibe-coder-biz/idp/appspec"
)

// The owner is a Backstage group's entity name, which the GitLab org
// provider takes from the group's path: upper case, '_' and '.' are allowed
// there, so they must be here, or a scaffold for a team named after its
// GitLab group "succeeds" and its first deployment fails.
func TestOwnerIsAnyBackstageEntityName(t *testing.T) {
	cases := []struct {
		owner string
		ok    bool
	}{
		{"team-a", true},
		{"Team_A", true},
		{"platform.sre", true},
		{"a", true},
		{strings.Repeat("a", 63), true},
		{strings.Repeat("a", 64), false},
		{`""`, false},
		{"-team", false},
		{"team_", false},
		{`"team a"`, false},
		{`"group:default/team-a"`, false},
	}
	for _, c := range cases {
		t.Run(c.owner, func(t *testing.T) {
			src := strings.Replace(minimal, "owner: team-a", "owner: "+c.owner, 1)
			_, err := appspec.Load("gitops/app.yaml", []byte(src), appspec.DefaultPlatform())
			if c.ok && err != nil {
				t.Fatalf("refused: %v", err)
			}
			if !c.ok && (err == nil || !strings.Contains(err.Error(), "spec.owner")) {
				t.Fatalf("not refused for its owner: %v", err)
			}
		})
	}
}
