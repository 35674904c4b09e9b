package source_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"

	"pgregory.net/rapid"

	"github.com/vibe-coder-biz/idp/internal/gitlabfake"
)

// TestNoCorruptedListingIsAShorterList: whatever GitLab's listing loses or
// misreports (pages cut short, totals that lie, links dropped, on any page,
// offset or keyset), a scan is every app or an error.
func TestNoCorruptedListingIsAShorterList(t *testing.T) {
	const n = 250
	fakes := map[bool]*gitlabfake.Fake{
		true:  bigGroup(t, gitlabfake.Options{GroupProjectsOffsetOnly: true}, n),
		false: bigGroup(t, gitlabfake.Options{}, n),
	}
	rapid.Check(t, func(rt *rapid.T) {
		offset := rapid.Bool().Draw(rt, "offset")
		fake := fakes[offset]
		fake.ClearFaults()
		for range rapid.IntRange(1, 3).Draw(rt, "faults") {
			fake.Inject(corruption(rt, offset))
		}
		repos, err := newSource(t, fake, nil).Scan(context.Background())
		if err == nil && len(apps(repos)) != n {
			rt.Fatalf("a %d-app answer without error, want %d", len(apps(repos)), n)
		}
	})
}

// corruption draws one way a listing page can come back wrong.
func corruption(rt *rapid.T, offset bool) gitlabfake.Fault {
	f := gitlabfake.Fault{Endpoint: listing, Times: rapid.IntRange(0, 2).Draw(rt, "times")}
	if rapid.Bool().Draw(rt, "one page") {
		if offset {
			f.Query = map[string]string{"page": strconv.Itoa(rapid.IntRange(1, 3).Draw(rt, "page"))}
		} else {
			f.Query = map[string]string{"id_after": strconv.Itoa(100 * rapid.IntRange(1, 2).Draw(rt, "after"))}
		}
	}
	switch rapid.IntRange(0, 3).Draw(rt, "kind") {
	case 0:
		f.Truncate = rapid.IntRange(1, 100).Draw(rt, "truncate")
	case 1:
		f.SetHeader = http.Header{"X-Total": {strconv.Itoa(rapid.IntRange(0, 400).Draw(rt, "total"))}}
	case 2:
		f.SetHeader = http.Header{"X-Total-Pages": {strconv.Itoa(rapid.IntRange(0, 5).Draw(rt, "pages"))}}
	default:
		f.DropHeader = []string{rapid.SampledFrom([]string{"Link", "X-Total", "X-Total-Pages", "X-Next-Page", "X-Page"}).Draw(rt, "drop")}
	}
	return f
}
