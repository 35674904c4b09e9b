package catalog_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/vibe-coder-biz/idp/appspec"
	"github.com/vibe-coder-biz/idp/plugin-generator/catalog"
	"github.com/vibe-coder-biz/idp/plugin-generator/source"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func appYAML(name string) []byte {
	return []byte(fmt.Sprintf(`apiVersion: idp.vibe-coder.biz/v1alpha1
kind: App
metadata:
  name: %s
spec:
  owner: team-a
  image: 123456789012.dkr.ecr.us-east-2.amazonaws.com/apps/%s:abc1234
  port: 3000
`, name, name))
}

func repo(id int64, group, path string, created time.Time, content []byte) source.Repo {
	return source.Repo{
		Project: source.Project{
			ID: id, Path: path, FullPath: group + "/" + path, Namespace: group,
			RepoURL: "https://gitlab.example.com/" + group + "/" + path + ".git", DefaultBranch: "main",
			AppPath: ".", CreatedAt: created, WebURL: "https://gitlab.example.com/" + group + "/" + path,
		},
		AppYAML: content, CommitSHA: fmt.Sprintf("%040d", id),
	}
}

func names(s *catalog.Snapshot) []string {
	var out []string
	for _, a := range s.Apps {
		out = append(out, a.Name)
	}
	return out
}

func TestBuild(t *testing.T) {
	p := appspec.DefaultPlatform()
	repos := []source.Repo{
		repo(1, "gitops", "hello-world", t0, appYAML("hello-world")),
		repo(2, "gitops", "no-app", t0, nil),
		repo(3, "gitops/team-b", "hello-world", t0.Add(-time.Hour), appYAML("hello-world")), // older: wins
		repo(4, "gitops", "thief", t0, appYAML("payments")),                                 // claims a foreign name
		repo(5, "gitops", "broken", t0, []byte("kind: App\n")),
		repo(6, "gitops", "argocd", t0, appYAML("argocd")), // reserved
		repo(7, "gitops", "payments", t0, appYAML("payments")),
	}
	s := catalog.Build(repos, nil, p, t0)
	if got := names(s); !slices.Equal(got, []string{"hello-world", "payments"}) {
		t.Fatalf("apps = %v", got)
	}
	if s.Apps[0].ProjectID != 3 {
		t.Errorf("hello-world went to project %d, want the older 3", s.Apps[0].ProjectID)
	}
	want := map[string]string{
		"gitops/hello-world": catalog.ReasonDuplicate,
		"gitops/thief":       catalog.ReasonClaim,
		"gitops/broken":      catalog.ReasonInvalid,
		"gitops/argocd":      catalog.ReasonInvalid,
	}
	if len(s.Problems) != len(want) {
		t.Fatalf("problems = %+v", s.Problems)
	}
	for _, pr := range s.Problems {
		if want[pr.Project] != pr.Reason || pr.Message == "" {
			t.Errorf("problem %+v, want reason %q", pr, want[pr.Project])
		}
	}
	params := s.Apps[1].Params
	for k, v := range map[string]string{
		catalog.ParamName: "payments", catalog.ParamNamespace: "payments", catalog.ParamProject: "payments",
		catalog.ParamRepoURL: "https://gitlab.example.com/gitops/payments.git", catalog.ParamRevision: "main",
		catalog.ParamPath: ".", catalog.ParamOwner: "team-a", catalog.ParamBackstageName: "payments",
		catalog.ParamProjectID: "7", catalog.ParamCommitSHA: fmt.Sprintf("%040d", 7),
	} {
		if params[k] != v {
			t.Errorf("%s = %v, want %v", k, params[k], v)
		}
	}
}

// TestLastKnownGood: a broken app.yaml keeps the app's last good parameters
// and is reported; a deleted app.yaml removes the app.
func TestLastKnownGood(t *testing.T) {
	p := appspec.DefaultPlatform()
	good := catalog.Build([]source.Repo{repo(1, "gitops", "hello-world", t0, appYAML("hello-world"))}, nil, p, t0)

	broken := repo(1, "gitops", "hello-world", t0, []byte("apiVersion: nope\n"))
	broken.CommitSHA = "ffff"
	s := catalog.Build([]source.Repo{broken}, good, p, t0)
	if len(s.Apps) != 1 || !s.Apps[0].Stale || s.Apps[0].Params[catalog.ParamCommitSHA] == "ffff" {
		t.Fatalf("broken app.yaml: apps = %+v", s.Apps)
	}
	if len(s.Problems) != 1 || !strings.Contains(s.Problems[0].Message, "apiVersion") {
		t.Fatalf("problems = %+v", s.Problems)
	}
	// Still broken a scan later: still kept.
	if s2 := catalog.Build([]source.Repo{broken}, s, p, t0); len(s2.Apps) != 1 {
		t.Fatal("last known good lost on the second broken scan")
	}
	// Never good: not served.
	if s3 := catalog.Build([]source.Repo{broken}, nil, p, t0); len(s3.Apps) != 0 {
		t.Fatal("an app that was never valid is served")
	}
	// app.yaml deleted: the app goes, as the project owner asked.
	if s4 := catalog.Build([]source.Repo{repo(1, "gitops", "hello-world", t0, nil)}, good, p, t0); len(s4.Apps) != 0 {
		t.Fatal("a deleted app.yaml kept its app")
	}
}

func TestSelect(t *testing.T) {
	p := appspec.DefaultPlatform()
	a := repo(1, "gitops/team-a", "alpha", t0, appYAML("alpha"))
	a.Topics = []string{"payments", "eu"}
	b := repo(2, "gitops/team-b/backend", "beta", t0, appYAML("beta"))
	s := catalog.Build([]source.Repo{a, b}, nil, p, t0)
	cases := []struct {
		filters map[string]any
		want    []string
		err     string
	}{
		{nil, []string{"alpha", "beta"}, ""},
		{map[string]any{"subgroup": "gitops/team-a"}, []string{"alpha"}, ""},
		{map[string]any{"subgroup": "team-b"}, []string{"beta"}, ""},
		{map[string]any{"subgroup": "gitops"}, []string{"alpha", "beta"}, ""},
		{map[string]any{"subgroup": "team"}, nil, ""},
		{map[string]any{"topic": "eu"}, []string{"alpha"}, ""},
		{map[string]any{"owner": "team-a", "topic": "payments"}, []string{"alpha"}, ""},
		{map[string]any{"owner": "nobody"}, nil, ""},
		{map[string]any{"subgrup": "x"}, nil, "unknown filter"},
		{map[string]any{"topic": 3}, nil, "want a string"},
	}
	for _, c := range cases {
		got, err := s.Select(c.filters)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%v: err = %v", c.filters, err)
			}
			continue
		}
		var gotNames []string
		for _, g := range got {
			gotNames = append(gotNames, g[catalog.ParamName].(string))
		}
		if err != nil || !slices.Equal(gotNames, c.want) {
			t.Errorf("%v: got %v, %v; want %v", c.filters, gotNames, err, c.want)
		}
	}
}

// genRepos draws projects in a few subgroups, many claiming clashing names,
// some broken.
func genRepos(t *rapid.T) []source.Repo {
	n := rapid.IntRange(0, 30).Draw(t, "n")
	var repos []source.Repo
	for i := range n {
		name := rapid.SampledFrom([]string{"alpha", "beta", "gamma", "delta"}).Draw(t, "name")
		group := rapid.SampledFrom([]string{"gitops", "gitops/a", "gitops/b/c"}).Draw(t, "group")
		created := t0.Add(time.Duration(rapid.IntRange(0, 5).Draw(t, "age")) * time.Hour)
		content := appYAML(name)
		switch rapid.IntRange(0, 9).Draw(t, "kind") {
		case 0:
			content = nil
		case 1:
			content = []byte("spec: {}\n")
		}
		repos = append(repos, repo(int64(i+1), group, name, created, content))
	}
	return repos
}

// TestNamesUniqueAndSorted: whatever projects exist, the answer has unique,
// sorted names; Argo CD rejects the whole set on a duplicate.
func TestNamesUniqueAndSorted(t *testing.T) {
	p := appspec.DefaultPlatform()
	rapid.Check(t, func(t *rapid.T) {
		s := catalog.Build(genRepos(t), nil, p, t0)
		got := names(s)
		if !slices.IsSorted(got) || len(slices.Compact(slices.Clone(got))) != len(got) {
			t.Fatalf("names %v are not unique and sorted", got)
		}
	})
}

// TestClaimsIgnoreListingOrder: GitLab may list projects in any order; the
// winner of each name must not depend on it.
func TestClaimsIgnoreListingOrder(t *testing.T) {
	p := appspec.DefaultPlatform()
	rapid.Check(t, func(t *rapid.T) {
		repos := genRepos(t)
		shuffled := slices.Clone(repos)
		perm := rapid.Permutation(shuffled).Draw(t, "perm")
		a := catalog.Build(repos, nil, p, t0)
		b := catalog.Build(perm, nil, p, t0)
		if fmt.Sprint(a.Apps) != fmt.Sprint(b.Apps) || fmt.Sprint(a.Problems) != fmt.Sprint(b.Problems) {
			t.Fatalf("order changed the answer:\n%v\n%v", a.Apps, b.Apps)
		}
	})
}

func TestAnswerIsCachedPerFilter(t *testing.T) {
	s := catalog.Build([]source.Repo{
		repo(1, "gitops", "alpha", t0, appYAML("alpha")),
		repo(2, "gitops/b", "beta", t0, appYAML("beta")),
	}, nil, appspec.DefaultPlatform(), t0)
	all, err := s.Answer(nil)
	if err != nil || !strings.Contains(string(all.JSON), `"name":"alpha"`) || !strings.Contains(string(all.JSON), `"name":"beta"`) {
		t.Fatalf("%v %v", all, err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(all.Gzip))
	if err != nil {
		t.Fatal(err)
	}
	if unzipped, _ := io.ReadAll(zr); !bytes.Equal(unzipped, all.JSON) {
		t.Error("the gzip body differs from the JSON body")
	}
	if again, _ := s.Answer(map[string]any{}); again != all {
		t.Error("an empty filter re-encoded instead of reusing the answer")
	}
	sub, _ := s.Answer(map[string]any{"subgroup": "b"})
	if strings.Contains(string(sub.JSON), "alpha") || !strings.HasPrefix(string(sub.JSON), `{"output":{"parameters":[`) {
		t.Errorf("subgroup answer %s", sub.JSON)
	}
	if _, err := s.Answer(map[string]any{"nope": "x"}); err == nil {
		t.Error("unknown filter accepted")
	}
	empty, _ := catalog.Build(nil, nil, appspec.DefaultPlatform(), t0).Answer(nil)
	if string(empty.JSON) != `{"output":{"parameters":[]}}` {
		t.Errorf("no apps: %s", empty.JSON)
	}
}
