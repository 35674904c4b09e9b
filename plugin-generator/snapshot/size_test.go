package snapshot_test

import (
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/vibe-coder-biz/idp/plugin-generator/snapshot"
	"github.com/vibe-coder-biz/idp/plugin-generator/source"
)

// representative makes n repos as a GitLab group of ten teams returns
// them: the app.yaml of hack/bench with its own image tag, random commit
// SHAs (which do not compress), GitLab's millisecond times spread over
// years, reads at nanoseconds over the last hour.
func representative(n int) snapshot.State {
	rng := rand.New(rand.NewPCG(1, 2))
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	sha := func() string {
		b := make([]byte, 20)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return hex.EncodeToString(b)
	}
	ago := func(max time.Duration) time.Time {
		return now.Add(-time.Duration(rng.Int64N(int64(max))))
	}
	repos := make([]source.Repo, n)
	id := int64(1000)
	for i := range repos {
		id += 1 + rng.Int64N(5)
		name, ns := fmt.Sprintf("app-%05d", i), fmt.Sprintf("gitops/team-%d", i%10)
		commit := sha()
		repos[i] = source.Repo{
			Project: source.Project{
				ID: id, Path: name, FullPath: ns + "/" + name, Namespace: ns,
				WebURL:         "https://gitlab.example.com/" + ns + "/" + name,
				RepoURL:        "https://gitlab.example.com/" + ns + "/" + name + ".git",
				AppPath:        ".",
				DefaultBranch:  "main",
				CreatedAt:      ago(3 * 365 * 24 * time.Hour),
				LastActivityAt: ago(30 * 24 * time.Hour),
				Topics:         []string{fmt.Sprintf("team-%d", i%10)},
			},
			AppYAML: fmt.Appendf(nil, "apiVersion: idp.vibe-coder.biz/v1alpha1\nkind: App\nmetadata:\n  name: %s\nspec:\n  owner: team-%d\n  image: 123456789012.dkr.ecr.us-east-2.amazonaws.com/apps/%s:%s\n  port: 3000\n",
				name, i%10, name, sha()[:7]),
			CommitSHA: commit,
			ReadAt:    ago(time.Hour),
		}
	}
	return snapshot.State{ScannedAt: now, Repos: repos}
}

// TestTenThousandReposFitAConfigMap: a group of 10,000 apps fits in what
// Save writes, with a margin for growth.
func TestTenThousandReposFitAConfigMap(t *testing.T) {
	const n = 10_000
	s := representative(n)
	start := time.Now()
	data, err := snapshot.Encode(s)
	if err != nil {
		t.Fatal(err)
	}
	encoded := time.Since(start)
	start = time.Now()
	out, err := snapshot.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	decoded := time.Since(start)
	if !same(s, *out) {
		t.Fatal("round trip changed the state")
	}
	perRepo := float64(len(data)) / n
	t.Logf("%d repos: %d bytes compressed, %.0f per repo, %.0f%% of %d (room for about %d repos); encode %v, decode %v",
		n, len(data), perRepo, 100*float64(len(data))/snapshot.MaxBytes, snapshot.MaxBytes, int(snapshot.MaxBytes/perRepo),
		encoded.Round(time.Millisecond), decoded.Round(time.Millisecond))
	if limit := snapshot.MaxBytes * 95 / 100; len(data) > limit {
		t.Fatalf("%d repos take %d bytes, over %d", n, len(data), limit)
	}
}
