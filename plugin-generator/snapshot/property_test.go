package snapshot_test

import (
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/vibe-coder-biz/idp/plugin-generator/snapshot"
	"github.com/vibe-coder-biz/idp/plugin-generator/source"
)

// TestEncodeDecodeIsIdentity: any state decodes to itself, app.yaml bytes
// and nil-versus-empty included.
func TestEncodeDecodeIsIdentity(t *testing.T) {
	n := 0
	rapid.Check(t, func(t *rapid.T) {
		n++
		in := stateGen.Draw(t, "state")
		data, err := snapshot.Encode(in)
		if err != nil {
			t.Fatal(err)
		}
		out, err := snapshot.Decode(data)
		if err != nil {
			t.Fatal(err)
		}
		if !same(in, *out) {
			t.Fatalf("round trip changed the state:\n in %#v\nout %#v", in, *out)
		}
	})
	t.Logf("%d states", n)
}

var (
	// Times JSON can carry: years 0-9999 in the time's own zone, offsets in
	// whole minutes.
	minSec  = time.Date(1, 1, 2, 0, 0, 0, 0, time.UTC).Unix()
	maxSec  = time.Date(9999, 12, 30, 0, 0, 0, 0, time.UTC).Unix()
	timeGen = rapid.OneOf(
		rapid.Just(time.Time{}),
		rapid.Custom(func(t *rapid.T) time.Time {
			at := time.Unix(rapid.Int64Range(minSec, maxSec).Draw(t, "sec"), rapid.Int64Range(0, 999_999_999).Draw(t, "nsec")).UTC()
			if off := rapid.IntRange(-14*60, 14*60).Draw(t, "offset"); off != 0 {
				at = at.In(time.FixedZone("", off*60))
			}
			return at
		}),
	)
	bytesGen = rapid.OneOf(
		rapid.Just([]byte(nil)),
		rapid.Just([]byte{}),
		rapid.SliceOf(rapid.Byte()),
		rapid.Map(rapid.String(), func(s string) []byte { return []byte(s) }),
	)
	topicsGen = rapid.OneOf(rapid.Just([]string(nil)), rapid.SliceOf(rapid.String()))
	repoGen   = rapid.Custom(func(t *rapid.T) source.Repo {
		str := func(label string) string { return rapid.String().Draw(t, label) }
		return source.Repo{
			Project: source.Project{
				ID: rapid.Int64().Draw(t, "id"), Path: str("path"), FullPath: str("fullPath"), Namespace: str("namespace"),
				WebURL: str("webURL"), RepoURL: str("repoURL"), AppPath: str("appPath"), DefaultBranch: str("branch"),
				CreatedAt: timeGen.Draw(t, "created"), LastActivityAt: timeGen.Draw(t, "activity"),
				Topics: topicsGen.Draw(t, "topics"),
			},
			AppYAML:   bytesGen.Draw(t, "appYAML"),
			CommitSHA: str("sha"),
			ReadAt:    timeGen.Draw(t, "readAt"),
			ReadError: str("readError"),
		}
	})
	stateGen = rapid.Custom(func(t *rapid.T) snapshot.State {
		return snapshot.State{
			ScannedAt: timeGen.Draw(t, "scannedAt"),
			Repos:     rapid.OneOf(rapid.Just([]source.Repo(nil)), rapid.SliceOfN(repoGen, 0, 8)).Draw(t, "repos"),
		}
	})
)
