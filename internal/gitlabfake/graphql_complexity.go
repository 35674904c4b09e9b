package gitlabfake

import (
	"fmt"

	"github.com/vektah/gqlparser/v2/ast"
)

// GitLab's GraphQL limits, from app/graphql/gitlab_schema.rb: complexity 200
// anonymous and 250 authenticated (300 for admins, whom the fake has none
// of), depth 15 and 20, and default_max_page_size 100.
const (
	anonymousMaxComplexity     = 200
	authenticatedMaxComplexity = 250
	anonymousMaxDepth          = 15
	authenticatedMaxDepth      = 20
	maxGraphQLPageSize         = 100
)

// The complexity of a query is GitLab's, computed as graphql-ruby's legacy
// analyzer does (GitlabSchema sets complexity_cost_calculation_mode(:legacy)):
// the sum of the root fields' complexities, where Types::BaseField gives each
// field, through complexity_for (app/graphql/types/base_field.rb):
//
//   - a plain field: 1, plus 1 if it calls_gitaly, plus its children;
//   - a field with an explicit complexity: that number plus its children;
//   - a field backed by a resolver: children + resolver_complexity (+1 if it
//     calls_gitaly), where Resolvers::BaseResolver's resolver_complexity is
//     1, +1 with a sort argument, +5 with a search argument, and resolvers
//     add their own; a connection then multiplies that by
//     1 + min(first, last, max page size) * complexity_multiplier, where
//     BaseResolver's multiplier is 0.01, and truncates to an integer.
//
// Nothing is multiplied by the number of nodes a connection returns, so a
// page of 100 projects costs twice a page of one. That is derived from the
// source, not calibrated, and agrees with the one public measurement found:
// Sveltia CMS's "15 + 2 * paths" for a single project's blobs with
// queryComplexity selected (gitlab-org/gitlab#576497), which this model
// reproduces exactly.
type fieldRule struct {
	resolver   bool // defined with resolver: (GitLab's complexity proc)
	connection bool // returns a connection: the page-size multiplier applies
	gitaly     bool // calls_gitaly: true
	constant   int  // complexity: N on the field
	extra      func(args map[string]any) int
}

// fieldRules lists the served fields whose complexity is not the default 1.
var fieldRules = map[string]fieldRule{
	// Resolvers::ProjectResolver, GroupResolver.
	"Query.project": {resolver: true},
	"Query.group":   {resolver: true},
	// Resolvers::ProjectsResolver.
	"Query.projects": {resolver: true, connection: true},
	// Resolvers::NamespaceProjectsResolver adds 10.
	"Group.projects": {resolver: true, connection: true, extra: func(map[string]any) int { return 10 }},
	// Types::RepositoryType.
	"Repository.rootRef": {gitaly: true},
	"Repository.exists":  {gitaly: true},
	"Repository.empty":   {gitaly: true},
	// Resolvers::BlobsResolver adds one per path: Gitaly's cost is O(paths).
	"Repository.blobs": {resolver: true, connection: true, gitaly: true, extra: func(args map[string]any) int {
		return len(gqlArgStrings(args, "paths"))
	}},
	// Resolvers::TreeResolver.
	"Repository.tree": {resolver: true, gitaly: true},
	// Types::Tree::TreeType: "Complexity 10 as it triggers a Gitaly call on each render".
	"Tree.lastCommit": {constant: 10},
	// Types::Repositories::CommitType.
	"Commit.title": {gitaly: true},
}

// fieldComplexity is Types::BaseField#complexity_for for one field.
func fieldComplexity(parent, name string, args map[string]any, child int) int {
	r := fieldRules[parent+"."+name]
	switch {
	case r.constant > 0:
		return r.constant + child
	case !r.resolver:
		c := 1
		if r.gitaly {
			c++
		}
		return c + child
	}
	c := child + 1 // BaseResolver.resolver_complexity
	if gqlPresent(args, "sort") {
		c++
	}
	if gqlPresent(args, "search") {
		c += 5
	}
	if r.extra != nil {
		c += r.extra(args)
	}
	if r.gitaly {
		c++
	}
	if !r.connection {
		return c
	}
	// Float arithmetic in Ruby's order, then Integer#to_i's truncation.
	limit := maxGraphQLPageSize
	for _, k := range []string{"first", "last"} {
		if n, ok := gqlArgInt(args, k); ok && n < limit {
			limit = n
		}
	}
	f := float64(c)
	return int(f + f*(float64(limit)*0.01))
}

// gqlPresent is Ruby truthiness of args[key]: anything but nil and false.
func gqlPresent(args map[string]any, key string) bool {
	v, ok := args[key]
	return ok && v != nil && v != false
}

// selectionComplexity sums the fields of a selection set on typeName, with
// fields of one response key merged as graphql-ruby merges them (arguments
// from the first occurrence, children from all).
func selectionComplexity(typeName string, set ast.SelectionSet, vars map[string]any) int {
	total := 0
	for _, g := range collectFields(set, typeName, vars) {
		f := g.fields[0]
		child := 0
		if sub := g.selections(); len(sub) > 0 {
			child = selectionComplexity(f.Definition.Type.Name(), sub, vars)
		}
		total += fieldComplexity(typeName, f.Name, f.ArgumentMap(vars), child)
	}
	return total
}

// selectionDepth is graphql-ruby's QueryDepth: the deepest chain of fields,
// the root field counting 1, introspection fields included.
func selectionDepth(typeName string, set ast.SelectionSet, vars map[string]any) int {
	deepest := 0
	for _, g := range collectFields(set, typeName, vars) {
		d := 1
		if sub := g.selections(); len(sub) > 0 {
			d += selectionDepth(g.fields[0].Definition.Type.Name(), sub, vars)
		}
		deepest = max(deepest, d)
	}
	return deepest
}

// graphQLLimits returns the complexity and depth a caller may use.
func graphQLLimits(authed bool) (complexity, depth int) {
	if authed {
		return authenticatedMaxComplexity, authenticatedMaxDepth
	}
	return anonymousMaxComplexity, anonymousMaxDepth
}

// analysisErrors are MaxQueryDepth's and MaxQueryComplexity's refusals, in
// the order graphql-ruby runs them.
func analysisErrors(depth, maxDepth, score, maxScore int) []gqlErr {
	var errs []gqlErr
	if depth > maxDepth {
		errs = append(errs, gqlErr{Message: fmt.Sprintf("Query has depth of %d, which exceeds max depth of %d", depth, maxDepth)})
	}
	if score > maxScore {
		errs = append(errs, complexityError(score, maxScore))
	}
	return errs
}

func complexityError(score, maxScore int) gqlErr {
	return gqlErr{Message: fmt.Sprintf("Query has complexity of %d, which exceeds max complexity of %d", score, maxScore)}
}
