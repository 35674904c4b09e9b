package source_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/vibe-coder-biz/idp/internal/gitlabfake"
	"github.com/vibe-coder-biz/idp/plugin-generator/source"
)

const listing = "GET /groups/:id/projects"
const graphQL = "POST /api/graphql"

// readMode is one way the source reads app.yaml: REST alone, or GraphQL
// falling back to REST (here GraphQL fails, so what a project's REST
// faults do must still hold).
type readMode struct {
	options func(*source.GitLabOptions)
	faults  func(*gitlabfake.Fake)
}

var readModes = map[string]readMode{
	"rest": {options: func(o *source.GitLabOptions) { o.NoGraphQL = true }, faults: func(*gitlabfake.Fake) {}},
	"graphql failing, rest": {
		options: func(*source.GitLabOptions) {},
		faults:  func(f *gitlabfake.Fake) { f.Inject(gitlabfake.Fault{Endpoint: graphQL, Status: 502}) },
	},
}

const fileRead = "GET /projects/:id/repository/files/:file_path"

// bigGroup makes n apps over the group and two levels of subgroups.
func bigGroup(t *testing.T, opts gitlabfake.Options, n int) *gitlabfake.Fake {
	t.Helper()
	opts.Token = token
	if opts.Now == nil {
		opts.Now = ticking()
	}
	fake := gitlabfake.Start(t, opts)
	for i := range n {
		name := fmt.Sprintf("app-%03d", i)
		fake.AddProject(gitlabfake.ProjectSpec{Namespace: []string{"gitops", "gitops/team-a", "gitops/team-a/x"}[i%3], Path: name, Files: map[string]string{"app.yaml": appYAML(name)}})
	}
	return fake
}

// TestListingProvenComplete: a listing GitLab's own totals or links show
// to be short is an error, never a shorter list; without the fault the same
// source then lists everything.
func TestListingProvenComplete(t *testing.T) {
	const n = 250 // three pages of 100
	for _, tc := range []struct {
		name       string
		offsetOnly bool
		fault      gitlabfake.Fault
	}{
		{"offset: short first page, honest totals", true, gitlabfake.Fault{Truncate: 7, Times: 1}},
		{"offset: short last page, honest totals", true, gitlabfake.Fault{Query: map[string]string{"page": "3"}, Truncate: 1}},
		{"offset: totals shrink mid-listing", true, gitlabfake.Fault{SetHeader: http.Header{"X-Total": {"150"}, "X-Total-Pages": {"2"}}}},
		{"offset: pages disagree with totals", true, gitlabfake.Fault{SetHeader: http.Header{"X-Total-Pages": {"2"}}}},
		{"keyset: full page without next link", false, gitlabfake.Fault{DropHeader: []string{"Link"}, Times: 1}},
		{"keyset: short page with next link", false, gitlabfake.Fault{Truncate: 3, Times: 1}},
		{"keyset: last page loses its tail", false, gitlabfake.Fault{Query: map[string]string{"id_after": "200"}, Truncate: 5, Times: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := bigGroup(t, gitlabfake.Options{GroupProjectsOffsetOnly: tc.offsetOnly}, n)
			g := newSource(t, fake, nil)
			tc.fault.Endpoint = listing
			fake.Inject(tc.fault)
			repos, err := g.Scan(context.Background())
			var inc *source.ErrIncomplete
			if !errors.As(err, &inc) {
				t.Fatalf("scan gave %d repos and %v, want ErrIncomplete", len(repos), err)
			}
			t.Log(err)
			fake.ClearFaults()
			if repos, err := g.Scan(context.Background()); err != nil || len(apps(repos)) != n {
				t.Fatalf("without the fault: %d apps, %v", len(apps(repos)), err)
			}
		})
	}
}

// TestNumericGroupIncludesSubgroups: "-gitlab-group 42" finds what
// "-gitlab-group gitops" finds.
func TestNumericGroupIncludesSubgroups(t *testing.T) {
	fake := bigGroup(t, gitlabfake.Options{}, 9)
	byPath, err := newSource(t, fake, nil).Scan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	id := fake.AddGroup("gitops").ID
	byID, err := newSource(t, fake, func(o *source.GitLabOptions) { o.Group = strconv.FormatInt(id, 10) }).Scan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(apps(byID)) != 9 || fmt.Sprint(apps(byID)) != fmt.Sprint(apps(byPath)) {
		t.Fatalf("by id %v, by path %v", apps(byID), apps(byPath))
	}
	p, _ := fake.ProjectByPath("gitops/team-a/x/app-002")
	g := newSource(t, fake, func(o *source.GitLabOptions) { o.Group = strconv.FormatInt(id, 10) })
	if r, err := g.Rescan(context.Background(), p.ID); err != nil || !r.HasApp() {
		t.Fatalf("rescan of a subgroup's project by group id: %+v %v", r, err)
	}
}

// TestNotFoundIsNotAlwaysNoFile: only "404 File Not Found" means there is no
// app.yaml; "404 Project Not Found" (the token lost access) keeps the app.
func TestNotFoundIsNotAlwaysNoFile(t *testing.T) {
	for name, mode := range readModes {
		t.Run(name, func(t *testing.T) { notFoundIsNotAlwaysNoFile(t, mode) })
	}
}

func notFoundIsNotAlwaysNoFile(t *testing.T, mode readMode) {
	fake := bigGroup(t, gitlabfake.Options{}, 3)
	g := newSource(t, fake, mode.options)
	mode.faults(fake)
	ctx := context.Background()
	if _, err := g.Scan(ctx); err != nil {
		t.Fatal(err)
	}
	p, _ := fake.ProjectByPath("gitops/app-000")
	fake.Commit(p.ID, map[string]string{"README.md": "touch"})
	fake.Inject(gitlabfake.Fault{Path: "/api/v4/projects/" + strconv.FormatInt(p.ID, 10) + "/", Status: 404, Body: `{"message":"404 Project Not Found"}`})
	repos, err := g.Scan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	r := find(t, repos, p.ID)
	if !r.HasApp() || r.ReadError == "" {
		t.Fatalf("404 Project Not Found: %+v", r)
	}
	fake.ClearFaults()
	mode.faults(fake)
	fake.Commit(p.ID, map[string]string{"app.yaml": ""}) // deletes the file
	repos, err = g.Scan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r := find(t, repos, p.ID); r.HasApp() || r.ReadError != "" {
		t.Fatalf("app.yaml deleted: %+v", r)
	}
}

// TestOneProjectFailingForever: the scan completes, the failing project
// keeps its last read and says why; the others are read as usual.
func TestOneProjectFailingForever(t *testing.T) {
	for name, mode := range readModes {
		for _, status := range []int{403, 500, 503} {
			t.Run(name+"/"+strconv.Itoa(status), func(t *testing.T) { oneProjectFailingForever(t, mode, status) })
		}
	}
}

func oneProjectFailingForever(t *testing.T, mode readMode, status int) {
	fake := bigGroup(t, gitlabfake.Options{}, 6)
	opts := func(o *source.GitLabOptions) { o.RetryMax = 1; o.RetryWait = time.Millisecond; mode.options(o) }
	g := newSource(t, fake, opts)
	mode.faults(fake)
	ctx := context.Background()
	if _, err := g.Scan(ctx); err != nil {
		t.Fatal(err)
	}
	bad, _ := fake.ProjectByPath("gitops/team-a/app-001")
	good, _ := fake.ProjectByPath("gitops/app-000")
	fake.Commit(bad.ID, map[string]string{"app.yaml": appYAML("app-001") + "  replicas: 3\n"})
	sha := fake.Commit(good.ID, map[string]string{"app.yaml": appYAML("app-000") + "  replicas: 3\n"})
	fake.Inject(gitlabfake.Fault{Path: "/api/v4/projects/" + strconv.FormatInt(bad.ID, 10) + "/repository/", Status: status})
	for range 3 {
		repos, err := g.Scan(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(apps(repos)) != 6 {
			t.Fatalf("apps = %v", apps(repos))
		}
		if r := find(t, repos, bad.ID); r.ReadError == "" || r.CommitSHA != bad.HeadSHA {
			t.Fatalf("failing project: %+v", r)
		}
		if r := find(t, repos, good.ID); r.ReadError != "" || r.CommitSHA != sha {
			t.Fatalf("healthy project: %+v", r)
		}
	}
	// A project never read before that fails is listed with no app.
	fresh := newSource(t, fake, opts)
	repos, err := fresh.Scan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r := find(t, repos, bad.ID); r.HasApp() || r.ReadError == "" {
		t.Fatalf("never read: %+v", r)
	}
}

// TestTimeLimitKeepsProgress: a cold scan that cannot finish in its time
// keeps what it read; the next scans go on and no project is read twice.
func TestTimeLimitKeepsProgress(t *testing.T) {
	const n = 40
	fake := bigGroup(t, gitlabfake.Options{}, n)
	g := newSource(t, fake, func(o *source.GitLabOptions) { o.Concurrency = 2; o.NoGraphQL = true })
	fake.Inject(gitlabfake.Fault{Endpoint: fileRead, Delay: 50 * time.Millisecond})
	scans := 0
	for {
		scans++
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		repos, err := g.Scan(ctx)
		cancel()
		if err == nil {
			if len(apps(repos)) != n {
				t.Fatalf("complete scan with %d apps", len(apps(repos)))
			}
			break
		}
		if repos != nil || scans > 20 {
			t.Fatalf("scan %d: %d repos, %v", scans, len(repos), err)
		}
	}
	if scans < 2 {
		t.Fatal("the time limit never cut a scan short; the test proves nothing")
	}
	if reads := fake.Requests()[fileRead]; reads > n+2*scans {
		t.Fatalf("%d file reads over %d scans for %d projects: progress was lost", reads, scans, n)
	}
	t.Logf("%d scans, %d file reads", scans, fake.Requests()[fileRead])
}

// TestRevalidationAdvancesBySlices: after RevalidateAfter, each scan
// re-reads at most a slice of the projects, oldest read first, until all
// are fresh again.
func TestRevalidationAdvancesBySlices(t *testing.T) {
	const n = 30
	fake := bigGroup(t, gitlabfake.Options{}, n)
	var mu sync.Mutex
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	g := newSource(t, fake, func(o *source.GitLabOptions) { o.Now = clock; o.RevalidateSlice = 4; o.NoGraphQL = true })
	ctx := context.Background()
	if _, err := g.Scan(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	now = now.Add(61 * time.Minute)
	mu.Unlock()
	var perScan []int
	for range 5 {
		fake.ResetCounts()
		if _, err := g.Scan(ctx); err != nil {
			t.Fatal(err)
		}
		perScan = append(perScan, fake.Requests()[fileRead])
	}
	if fmt.Sprint(perScan) != "[8 8 8 6 0]" {
		t.Fatalf("re-reads per scan = %v, want slices of 8 until all 30 are fresh", perScan)
	}
}

// ticking is a clock a second further on at every call, so every commit
// is new activity however fast the test runs.
func ticking() func() time.Time {
	var mu sync.Mutex
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(time.Second)
		return now
	}
}

func find(t *testing.T, repos []source.Repo, id int64) source.Repo {
	t.Helper()
	for _, r := range repos {
		if r.ID == id {
			return r
		}
	}
	t.Fatalf("project %d not in the scan", id)
	return source.Repo{}
}

// TestRateLimitedColdScan: under a rate limit a cold scan cannot pay for
// at once, each scan is the complete list or an error, and the scans
// converge on the complete list.
func TestRateLimitedColdScan(t *testing.T) {
	const n = 60
	fake := bigGroup(t, gitlabfake.Options{Now: time.Now}, n)
	fake.SetRateLimitPeriod(25, time.Second)
	g := newSource(t, fake, func(o *source.GitLabOptions) { o.RetryMax = 2; o.RetryWait = 10 * time.Millisecond; o.NoGraphQL = true })
	for scan := 1; ; scan++ {
		ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
		repos, err := g.Scan(ctx)
		cancel()
		if err == nil {
			if len(apps(repos)) != n {
				for _, r := range repos {
					if r.ReadError != "" {
						t.Log(r.ReadError)
						break
					}
				}
				t.Fatalf("scan %d: complete with %d apps of %d", scan, len(apps(repos)), n)
			}
			t.Logf("complete at scan %d after %d requests", scan, fake.TotalRequests())
			return
		}
		if repos != nil {
			t.Fatalf("scan %d failed and returned %d repos", scan, len(repos))
		}
		if scan == 10 {
			t.Fatalf("no complete scan in 10: %v", err)
		}
	}
}
