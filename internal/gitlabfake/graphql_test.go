package gitlabfake_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/vibe-coder-biz/idp/internal/gitlabfake"
)

// gqlAnswer is a decoded GraphQL response body.
type gqlAnswer struct {
	raw    map[string]json.RawMessage
	Errors []struct {
		Message   string `json:"message"`
		Locations []struct {
			Line, Column int
		} `json:"locations"`
		Path []any `json:"path"`
	}
}

// data decodes the data member into v, failing on errors the test did not
// expect.
func (a gqlAnswer) data(t testing.TB, v any) {
	t.Helper()
	if len(a.Errors) > 0 {
		t.Fatalf("unexpected errors: %+v", a.Errors)
	}
	if err := json.Unmarshal(a.raw["data"], v); err != nil {
		t.Fatalf("data: %v in %s", err, a.raw["data"])
	}
}

func (a gqlAnswer) messages() []string {
	var out []string
	for _, e := range a.Errors {
		out = append(out, e.Message)
	}
	return out
}

func decodeAnswer(t testing.TB, raw map[string]json.RawMessage) gqlAnswer {
	t.Helper()
	a := gqlAnswer{raw: raw}
	if e, ok := raw["errors"]; ok {
		if err := json.Unmarshal(e, &a.Errors); err != nil {
			t.Fatalf("errors: %v", err)
		}
	}
	return a
}

// graphQL sends a query through client-go's GraphQL service.
func graphQL(t testing.TB, c *gitlab.Client, query string, vars map[string]any) gqlAnswer {
	t.Helper()
	var raw map[string]json.RawMessage
	if _, err := c.GraphQL.Do(gitlab.GraphQLQuery{Query: query, Variables: vars}, &raw); err != nil {
		t.Fatalf("GraphQL: %v", err)
	}
	return decodeAnswer(t, raw)
}

// postGraphQL sends a raw body; a nil hdr sends the valid token.
func postGraphQL(t testing.TB, f *gitlabfake.Fake, hdr map[string]string, body string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, f.URL()+"/api/graphql", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if hdr == nil {
		hdr = map[string]string{"PRIVATE-TOKEN": token}
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func gid(id int64) string { return fmt.Sprintf("gid://gitlab/Project/%d", id) }

// batchQuery is the plugin generator's shape: app.yaml of many projects.
const batchQuery = `query($ids: [ID!], $first: Int) {
  projects(ids: $ids, first: $first) {
    pageInfo { hasNextPage endCursor }
    nodes { id repository { rootRef blobs(paths: ["app.yaml"]) { nodes { rawBlob } } } }
  }
}`

type batchAnswer struct {
	Projects struct {
		PageInfo struct {
			HasNextPage bool
			EndCursor   *string
		}
		Nodes []struct {
			ID         string
			Repository struct {
				RootRef *string
				Blobs   struct {
					Nodes []struct{ RawBlob string }
				}
			}
		}
	}
}

func TestGraphQLProjectsByIDsWithBlobs(t *testing.T) {
	f, _ := start(t)
	withApp := f.AddProject(gitlabfake.ProjectSpec{Namespace: "gitops", Path: "a", Files: map[string]string{"app.yaml": "name: a\n", "README.md": "a"}})
	noApp := f.AddProject(gitlabfake.ProjectSpec{Namespace: "gitops", Path: "b", Files: map[string]string{"README.md": "b"}})
	empty := f.AddProject(gitlabfake.ProjectSpec{Namespace: "gitops/team", Path: "e"})
	f.AddProject(gitlabfake.ProjectSpec{Namespace: "gitops", Path: "not-asked", Files: map[string]string{"app.yaml": "x"}})
	c := client(t, f)

	var out batchAnswer
	graphQL(t, c, batchQuery, map[string]any{
		"ids":   []string{gid(withApp.ID), gid(noApp.ID), gid(empty.ID), gid(999)},
		"first": 10,
	}).data(t, &out)

	p := out.Projects
	if p.PageInfo.HasNextPage || p.PageInfo.EndCursor == nil {
		t.Fatalf("pageInfo = %+v", p.PageInfo)
	}
	// ProjectsFinder's default order is id descending; unknown ids are skipped.
	var ids []string
	for _, n := range p.Nodes {
		ids = append(ids, n.ID)
	}
	if want := []string{gid(empty.ID), gid(noApp.ID), gid(withApp.ID)}; !slices.Equal(ids, want) {
		t.Fatalf("ids = %v, want %v", ids, want)
	}
	e, b, a := p.Nodes[0].Repository, p.Nodes[1].Repository, p.Nodes[2].Repository
	if e.RootRef != nil || len(e.Blobs.Nodes) != 0 {
		t.Errorf("empty repository: rootRef %v, %d blobs", e.RootRef, len(e.Blobs.Nodes))
	}
	if b.RootRef == nil || *b.RootRef != "main" || len(b.Blobs.Nodes) != 0 {
		t.Errorf("no app.yaml: rootRef %v, blobs %+v", b.RootRef, b.Blobs.Nodes)
	}
	if len(a.Blobs.Nodes) != 1 || a.Blobs.Nodes[0].RawBlob != "name: a\n" {
		t.Errorf("app.yaml: %+v", a.Blobs.Nodes)
	}
}

func TestGraphQLFieldsAndRefs(t *testing.T) {
	f, _ := start(t)
	created := t0.Add(-time.Hour)
	p := f.AddProject(gitlabfake.ProjectSpec{Namespace: "gitops/team", Path: "web", Name: "Web", CreatedAt: created,
		Topics: []string{"b", "a"}, Files: map[string]string{"app.yaml": "v1", "deploy/values.yaml": "x"}})
	first := p.HeadSHA
	f.CommitOn(p.ID, gitlabfake.CommitSpec{Branch: "next", Files: map[string]string{"app.yaml": "v2"}})
	f.Commit(p.ID, map[string]string{"README.md": "r"})
	c := client(t, f)

	var out struct {
		P struct {
			ID, Name, Path, FullPath, WebURL, HTTPURLToRepo, CreatedAt, LastActivityAt string
			Archived                                                                   bool
			Topics                                                                     []string
			Namespace                                                                  struct{ ID, FullPath string }
			Repository                                                                 struct {
				Exists, Empty bool
				Main          struct {
					Nodes []struct{ ID, Oid, Path, Name, Size, RawBlob string }
				}
				Next struct {
					Edges []struct {
						Cursor string
						Node   struct{ RawBlob string }
					}
				}
				Tree    struct{ LastCommit struct{ Sha string } }
				Deploy  struct{ LastCommit struct{ Sha string } }
				Missing struct{ LastCommit *struct{ Sha string } }
			}
		}
	}
	graphQL(t, c, `query($path: ID!) {
	  p: project(fullPath: $path) {
	    ...ids
	    name path webUrl httpUrlToRepo createdAt lastActivityAt archived topics
	    namespace { id fullPath }
	    repository {
	      exists empty
	      main: blobs(paths: ["deploy/values.yaml", "nope", "app.yaml"]) { nodes { id oid path name size rawBlob } }
	      next: blobs(paths: ["app.yaml"], ref: "next", refType: HEADS) { edges { cursor node { rawBlob } } }
	      tree { lastCommit { sha } }
	      deploy: tree(path: "deploy") { lastCommit { sha } }
	      missing: tree(path: "nowhere") { lastCommit { sha } }
	    }
	  }
	}
	fragment ids on Project { id fullPath }`, map[string]any{"path": "GitOps/Team/Web"}).data(t, &out)

	got := out.P
	base := f.URL()
	if got.ID != gid(p.ID) || got.Name != "Web" || got.FullPath != "gitops/team/web" || got.WebURL != base+"/gitops/team/web" ||
		got.HTTPURLToRepo != base+"/gitops/team/web.git" || got.CreatedAt != created.Format(time.RFC3339) ||
		got.Archived || !slices.Equal(got.Topics, []string{"a", "b"}) || !strings.HasPrefix(got.Namespace.ID, "gid://gitlab/Group/") ||
		got.Namespace.FullPath != "gitops/team" {
		t.Errorf("project fields: %+v", got)
	}
	r := got.Repository
	if !r.Exists || r.Empty {
		t.Errorf("exists=%v empty=%v", r.Exists, r.Empty)
	}
	if len(r.Main.Nodes) != 2 || r.Main.Nodes[0].Path != "deploy/values.yaml" || r.Main.Nodes[0].Name != "values.yaml" ||
		r.Main.Nodes[1].RawBlob != "v1" || r.Main.Nodes[1].Size != "2" || r.Main.Nodes[1].ID != "gid://gitlab/Blob/"+r.Main.Nodes[1].Oid {
		t.Errorf("blobs on the root ref: %+v", r.Main.Nodes)
	}
	if len(r.Next.Edges) != 1 || r.Next.Edges[0].Node.RawBlob != "v2" || r.Next.Edges[0].Cursor == "" {
		t.Errorf("blobs on refs/heads/next: %+v", r.Next.Edges)
	}
	head, _ := f.Project(p.ID)
	if r.Tree.LastCommit.Sha != head.HeadSHA || r.Deploy.LastCommit.Sha != first || r.Missing.LastCommit != nil {
		t.Errorf("lastCommit: root %s deploy %s missing %v (head %s, first %s)", r.Tree.LastCommit.Sha, r.Deploy.LastCommit.Sha,
			r.Missing.LastCommit, head.HeadSHA, first)
	}
}

func TestGraphQLGroupPaging(t *testing.T) {
	f, _ := start(t)
	var want []string
	for i := range 25 {
		ns := []string{"gitops", "gitops/team-a", "gitops/team-a/deep"}[i%3]
		p := f.AddProject(gitlabfake.ProjectSpec{Namespace: ns, Path: fmt.Sprintf("p%02d", i)})
		want = append([]string{gid(p.ID)}, want...) // id descending
	}
	outside := f.AddProject(gitlabfake.ProjectSpec{Namespace: "other", Path: "shared"})
	f.ShareIntoGroup(outside.ID, "gitops") // GraphQL lists owned projects only
	c := client(t, f)

	const q = `query($after: String, $sub: Boolean) {
	  group(fullPath: "gitops") {
	    projects(includeSubgroups: $sub, first: 10, after: $after) {
	      count
	      pageInfo { hasNextPage hasPreviousPage endCursor }
	      nodes { id }
	    }
	  }
	}`
	type page struct {
		Group struct {
			Projects struct {
				Count    int
				PageInfo struct {
					HasNextPage, HasPreviousPage bool
					EndCursor                    string
				}
				Nodes []struct{ ID string }
			}
		}
	}
	var got []string
	vars := map[string]any{"sub": true}
	for pages := 1; ; pages++ {
		var out page
		graphQL(t, c, q, vars).data(t, &out)
		pp := out.Group.Projects
		if pp.Count != 25 || pp.PageInfo.HasPreviousPage != (pages > 1) {
			t.Fatalf("page %d: count %d, hasPreviousPage %v", pages, pp.Count, pp.PageInfo.HasPreviousPage)
		}
		for _, n := range pp.Nodes {
			got = append(got, n.ID)
		}
		if !pp.PageInfo.HasNextPage {
			if pages != 3 {
				t.Fatalf("%d pages, want 3", pages)
			}
			break
		}
		vars["after"] = pp.PageInfo.EndCursor
	}
	if !slices.Equal(got, want) {
		t.Fatalf("walk: %v\nwant %v", got, want)
	}

	var direct page
	graphQL(t, c, q, map[string]any{"sub": false}).data(t, &direct)
	if direct.Group.Projects.Count != 9 {
		t.Fatalf("without subgroups: %d projects, want 9", direct.Group.Projects.Count)
	}
}

func TestGraphQLBackwardPaging(t *testing.T) {
	f, _ := start(t)
	ids := addProjects(f, "gitops", 5)
	c := client(t, f)
	var out struct {
		Projects struct {
			PageInfo struct{ HasNextPage, HasPreviousPage bool }
			Nodes    []struct{ ID string }
		}
	}
	graphQL(t, c, `{ projects(last: 2, sort: "id_asc") { pageInfo { hasNextPage hasPreviousPage } nodes { id } } }`, nil).data(t, &out)
	pi := out.Projects.PageInfo
	if len(out.Projects.Nodes) != 2 || out.Projects.Nodes[1].ID != gid(ids[4]) || !pi.HasPreviousPage || pi.HasNextPage {
		t.Fatalf("last 2: %+v", out.Projects)
	}
}

func TestGraphQLValidationErrors(t *testing.T) {
	f, _ := start(t)
	cases := []struct {
		query     string
		message   string
		line, col int
	}{
		{`{ project(fullPath: "a") { foo } }`, "Field 'foo' doesn't exist on type 'Project'", 1, 28},
		{`{ projects(foo: 1) { count } }`, "Field 'projects' doesn't accept argument 'foo'", 1, 12},
		{`{ project(fullPath: "a") { repository { blobs { nodes { path } } } } }`,
			"Field 'blobs' is missing required arguments: paths", 1, 41},
		{`{ project(fullPath: "a") { id { x } } }`,
			`Selections can't be made on scalars (field 'id' returns ID but has selections ["x"])`, 1, 28},
		{`{ project(fullPath: "a") { repository } }`,
			"Field must have selections (field 'repository' returns Repository but has no selections. Did you mean 'repository { ... }'?)", 1, 28},
		{`{ project(fullPath: $p) { id } }`, "Variable $p is used by anonymous query but not declared", 1, 21},
		{`query Q($p: ID!) { queryComplexity { score } }`, "Variable $p is declared by Q but not used", 1, 9},
		{`{ queryComplexity { ...F } }`, "Fragment F was used, but not defined", 1, 24},
		{`{ projects(fist: 1) { count } }`, "Field 'projects' doesn't accept argument 'fist' (Did you mean `first`?)", 1, 12},
		{`{ p: project(fullPath: "a") { fullpath } }`, "Field 'fullpath' doesn't exist on type 'Project' (Did you mean `fullPath`?)", 1, 31},
		{`mutation { x }`, "Schema is not configured for mutations", 1, 1},
	}
	for _, tc := range cases {
		t.Run(tc.message, func(t *testing.T) {
			body, _ := json.Marshal(map[string]string{"query": tc.query})
			resp, text := postGraphQL(t, f, nil, string(body))
			var raw map[string]json.RawMessage
			if err := json.Unmarshal([]byte(text), &raw); err != nil || resp.StatusCode != 200 {
				t.Fatalf("%d %s", resp.StatusCode, text)
			}
			a := decodeAnswer(t, raw)
			// A selection on a scalar is also an unknown field of the scalar.
			if _, has := raw["data"]; has || len(a.Errors) == 0 || a.Errors[0].Message != tc.message ||
				len(a.Errors[0].Locations) != 1 || a.Errors[0].Locations[0].Line != tc.line || a.Errors[0].Locations[0].Column != tc.col {
				t.Fatalf("answer: %s", text)
			}
		})
	}

	for body, want := range map[string]string{
		`{}`:                                "No query string was present",
		`{"query": "{ project(fullPath: "}`: "",
		`{"query": "query A { a: queryComplexity { score } } query B { b: queryComplexity { score } }"}`: "An operation name is required",
		`{"query": "{ queryComplexity { score } }", "operationName": "X"}`:                               `No operation named "X"`,
		`{"query": "query($p: ID!) { project(fullPath: $p) { id } }"}`:                                   "Variable $p of type ID! was provided invalid value",
	} {
		resp, text := postGraphQL(t, f, nil, body)
		var a struct{ Errors []struct{ Message string } }
		if err := json.Unmarshal([]byte(text), &a); err != nil || resp.StatusCode != 200 || len(a.Errors) == 0 ||
			want != "" && a.Errors[0].Message != want {
			t.Errorf("%s: %d %s", body, resp.StatusCode, text)
		}
	}
}

func TestGraphQLExecutionErrors(t *testing.T) {
	f, _ := start(t)
	f.AddProject(gitlabfake.ProjectSpec{Namespace: "g", Path: "p", Files: map[string]string{"a": "a"}})
	c := client(t, f)
	many := make([]string, 51)
	for i := range many {
		many[i] = fmt.Sprintf("g/p%d", i)
	}
	cases := []struct {
		query string
		vars  map[string]any
		err   string
	}{
		{`{ projects(after: "!!") { count } }`, nil, `Invalid cursor: "!!"`},
		{`{ projects(after: "bm9wZQ") { count } }`, nil, "Please provide a valid cursor"},
		{`{ projects(first: 1, last: 1) { count } }`, nil, "Can only provide either `first` or `last`, not both"},
		{`{ projects(ids: ["42"]) { count } }`, nil, "42 is not a valid GitLab ID."},
		{`{ projects(ids: ["gid://gitlab/Group/1"]) { count } }`, nil, "gid://gitlab/Group/1 is not a valid ID for Project."},
		{`query($p: [String!]) { projects(fullPaths: $p) { count } }`, map[string]any{"p": many}, "You cannot provide more than 50 full_paths"},
		{`{ project(fullPath: "g/p") { repository { blobs(paths: ["a"], ref: "a..b") { nodes { path } } } } }`, nil, "Ref is not valid"},
	}
	for _, tc := range cases {
		t.Run(tc.err, func(t *testing.T) {
			a := graphQL(t, c, tc.query, tc.vars)
			if _, has := a.raw["data"]; !has || !slices.Equal(a.messages(), []string{tc.err}) || len(a.Errors[0].Path) == 0 {
				t.Fatalf("answer: %v %+v", a.raw, a.Errors)
			}
		})
	}
}

// anonymous is a client-go client without a token.
func anonymous(t testing.TB, f *gitlabfake.Fake) *gitlab.Client {
	t.Helper()
	c, err := gitlab.NewClient("", gitlab.WithBaseURL(f.URL()))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestGraphQLAuth(t *testing.T) {
	f, _ := start(t)
	pub := f.AddProject(gitlabfake.ProjectSpec{Namespace: "open/team", Path: "pub", Visibility: "public"})
	f.AddProject(gitlabfake.ProjectSpec{Namespace: "open", Path: "internal", Visibility: "internal"})
	f.AddProject(gitlabfake.ProjectSpec{Namespace: "closed", Path: "priv"})

	resp, body := postGraphQL(t, f, map[string]string{"PRIVATE-TOKEN": "wrong"}, `{"query": "{ queryComplexity { limit } }"}`)
	if resp.StatusCode != 401 || body != `{"errors":[{"message":"Invalid token"}]}` {
		t.Fatalf("invalid token: %d %s", resp.StatusCode, body)
	}
	resp, _ = postGraphQL(t, f, map[string]string{"Authorization": "Bearer " + token}, `{"query": "{ queryComplexity { limit } }"}`)
	if resp.StatusCode != 200 {
		t.Fatalf("bearer token: %d", resp.StatusCode)
	}

	const q = `{
	  queryComplexity { limit }
	  projects { nodes { fullPath } }
	  priv: project(fullPath: "closed/priv") { id }
	  open: group(fullPath: "open") { projects(includeSubgroups: true) { nodes { fullPath } } }
	  closed: group(fullPath: "closed") { id }
	}`
	type answer struct {
		QueryComplexity struct{ Limit int }
		Projects        struct{ Nodes []struct{ FullPath string } }
		Priv            *struct{ ID string }
		Open            *struct {
			Projects struct{ Nodes []struct{ FullPath string } }
		}
		Closed *struct{ ID string }
	}
	var anon, authed answer
	graphQL(t, anonymous(t, f), q, nil).data(t, &anon)
	graphQL(t, client(t, f), q, nil).data(t, &authed)
	if anon.QueryComplexity.Limit != 200 || len(anon.Projects.Nodes) != 1 || anon.Projects.Nodes[0].FullPath != pub.PathWithNamespace ||
		anon.Priv != nil || anon.Closed != nil || anon.Open == nil || len(anon.Open.Projects.Nodes) != 1 {
		t.Errorf("anonymous: %+v", anon)
	}
	if authed.QueryComplexity.Limit != 250 || len(authed.Projects.Nodes) != 3 || authed.Priv == nil || authed.Closed == nil ||
		len(authed.Open.Projects.Nodes) != 2 {
		t.Errorf("authenticated: %+v", authed)
	}
}
