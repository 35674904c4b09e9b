package gitlabfake

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/validator"
	"github.com/vektah/gqlparser/v2/validator/rules"
)

// graphQLMaxErrors is GitlabSchema's validate_max_errors.
const graphQLMaxErrors = 5

// validateGraphQL runs the spec's validation rules and rewords the errors
// the way graphql-ruby, which GitLab runs, words them.
func validateGraphQL(doc *ast.QueryDocument) []gqlErr {
	list := validator.ValidateWithRules(graphQLSchema, doc, rules.NewDefaultRules())
	sort.SliceStable(list, func(i, j int) bool { return errBefore(list[i], list[j]) })
	out := make([]gqlErr, 0, len(list))
	for _, e := range list {
		ge := gqlErr{Message: rubyWording(doc, e), Locations: gqlLocations(e.Locations)}
		if e.Rule == "KnownArgumentNames" {
			// graphql-ruby points at the argument, gqlparser at its field.
			if a := argumentAt(doc, e); a != nil {
				ge.Locations = []gqlLoc{{Line: a.Position.Line, Column: a.Position.Column}}
			}
		}
		out = append(out, ge)
		if len(out) == graphQLMaxErrors {
			break
		}
	}
	return out
}

func errBefore(a, b *gqlerror.Error) bool {
	if len(a.Locations) == 0 || len(b.Locations) == 0 {
		return len(a.Locations) > len(b.Locations)
	}
	la, lb := a.Locations[0], b.Locations[0]
	return la.Line < lb.Line || la.Line == lb.Line && la.Column < lb.Column
}

func gqlLocations(ls []gqlerror.Location) []gqlLoc {
	out := make([]gqlLoc, len(ls))
	for i, l := range ls {
		out[i] = gqlLoc{Line: l.Line, Column: l.Column}
	}
	return out
}

// A rewording maps one gqlparser message onto graphql-ruby's sentence.
type rewording struct {
	re   *regexp.Regexp
	ruby func(doc *ast.QueryDocument, e *gqlerror.Error, m []string) string
}

var rewordings = map[string][]rewording{
	"FieldsOnCorrectType": {{regexp.MustCompile(`^Cannot query field "(.+?)" on type "(.+?)"\.`),
		func(_ *ast.QueryDocument, _ *gqlerror.Error, m []string) string {
			var names []string
			if t := graphQLSchema.Types[m[2]]; t != nil {
				for _, f := range t.Fields {
					if !strings.HasPrefix(f.Name, "__") {
						names = append(names, f.Name)
					}
				}
			}
			return fmt.Sprintf("Field '%s' doesn't exist on type '%s'%s", m[1], m[2], didYouMean(m[1], names))
		}}},
	"KnownArgumentNames": {
		{regexp.MustCompile(`^Unknown argument "(.+?)" on field "(.+?)\.(.+?)"\.`),
			func(doc *ast.QueryDocument, e *gqlerror.Error, m []string) string {
				// Named by the field's alias, as graphql-ruby does.
				name, args := m[3], []string(nil)
				if f := fieldAt(doc, e); f != nil && f.Definition != nil {
					name = f.Alias
					for _, a := range f.Definition.Arguments {
						args = append(args, a.Name)
					}
				}
				return fmt.Sprintf("Field '%s' doesn't accept argument '%s'%s", name, m[1], didYouMean(m[1], args))
			}},
		{regexp.MustCompile(`^Unknown argument "(.+?)" on directive "@(.+?)"\.`),
			func(_ *ast.QueryDocument, _ *gqlerror.Error, m []string) string {
				var args []string
				if d := graphQLSchema.Directives[m[2]]; d != nil {
					for _, a := range d.Arguments {
						args = append(args, a.Name)
					}
				}
				return fmt.Sprintf("Directive '%s' doesn't accept argument '%s'%s", m[2], m[1], didYouMean(m[1], args))
			}},
	},
	"ProvidedRequiredArguments": {
		{regexp.MustCompile(`^Field "(.+?)" argument "(.+?)" of type .+ is required, but it was not provided\.$`),
			func(_ *ast.QueryDocument, _ *gqlerror.Error, m []string) string {
				return fmt.Sprintf("Field '%s' is missing required arguments: %s", m[1], m[2])
			}},
		{regexp.MustCompile(`^Directive "@(.+?)" argument "(.+?)" of type .+ is required, but it was not provided\.$`),
			func(_ *ast.QueryDocument, _ *gqlerror.Error, m []string) string {
				return fmt.Sprintf("Directive '%s' is missing required arguments: %s", m[1], m[2])
			}},
	},
	"ScalarLeafs": {
		{regexp.MustCompile(`^Field "(.+?)" must not have a selection since type "(.+?)" has no subfields\.`),
			func(doc *ast.QueryDocument, e *gqlerror.Error, m []string) string {
				kind := "scalars"
				if t := graphQLSchema.Types[m[2]]; t != nil && t.Kind == ast.Enum {
					kind = "enums"
				}
				return fmt.Sprintf("Selections can't be made on %s (field '%s' returns %s but has selections [%s])",
					kind, m[1], m[2], strings.Join(selectionNames(doc, e), ", "))
			}},
		{regexp.MustCompile(`^Field "(.+?)" of type "(.+?)" must have a selection of subfields\.`),
			func(_ *ast.QueryDocument, _ *gqlerror.Error, m []string) string {
				return fmt.Sprintf("Field must have selections (field '%s' returns %s but has no selections. Did you mean '%s { ... }'?)",
					m[1], strings.Trim(m[2], "[]!"), m[1])
			}},
	},
	"NoUndefinedVariables": {{regexp.MustCompile(`^Variable "\$(.+?)" is not defined(?: by operation "(.+?)")?\.$`),
		func(_ *ast.QueryDocument, _ *gqlerror.Error, m []string) string {
			return fmt.Sprintf("Variable $%s is used by %s but not declared", m[1], operationLabel(m[2]))
		}}},
	"NoUnusedVariables": {{regexp.MustCompile(`^Variable "\$(.+?)" is never used(?: in operation "(.+?)")?\.$`),
		func(_ *ast.QueryDocument, _ *gqlerror.Error, m []string) string {
			return fmt.Sprintf("Variable $%s is declared by %s but not used", m[1], operationLabel(m[2]))
		}}},
	"KnownFragmentNames": {{regexp.MustCompile(`^Unknown fragment "(.+?)"\.$`),
		func(_ *ast.QueryDocument, _ *gqlerror.Error, m []string) string {
			return fmt.Sprintf("Fragment %s was used, but not defined", m[1])
		}}},
	"NoUnusedFragments": {{regexp.MustCompile(`^Fragment "(.+?)" is never used\.$`),
		func(_ *ast.QueryDocument, _ *gqlerror.Error, m []string) string {
			return fmt.Sprintf("Fragment %s was defined, but not used", m[1])
		}}},
	"KnownDirectives": {{regexp.MustCompile(`^Unknown directive "@(.+?)"\.$`),
		func(_ *ast.QueryDocument, _ *gqlerror.Error, m []string) string {
			return fmt.Sprintf("Directive @%s is not defined", m[1])
		}}},
	"KnownRootType": {{regexp.MustCompile(`^Schema does not support operation type "(.+?)"`),
		func(_ *ast.QueryDocument, _ *gqlerror.Error, m []string) string {
			return fmt.Sprintf("Schema is not configured for %ss", m[1])
		}}},
	"LoneAnonymousOperation": {{regexp.MustCompile(`^`),
		func(*ast.QueryDocument, *gqlerror.Error, []string) string {
			return "Operation name is required when multiple operations are present"
		}}},
	"UniqueArgumentNames": {{regexp.MustCompile(`^(There can be only one argument named ".+?")\.$`),
		func(_ *ast.QueryDocument, _ *gqlerror.Error, m []string) string { return m[1] }}},
}

// rubyWording keeps gqlparser's message where no rewording is known.
func rubyWording(doc *ast.QueryDocument, e *gqlerror.Error) string {
	for _, r := range rewordings[e.Rule] {
		if m := r.re.FindStringSubmatch(e.Message); m != nil {
			return r.ruby(doc, e, m)
		}
	}
	return e.Message
}

func operationLabel(name string) string {
	if name == "" {
		return "anonymous query"
	}
	return name
}

// fieldAt finds the field an error points at.
func fieldAt(doc *ast.QueryDocument, e *gqlerror.Error) *ast.Field {
	if len(e.Locations) == 0 {
		return nil
	}
	at := e.Locations[0]
	var found *ast.Field
	var walk func(ast.SelectionSet)
	walk = func(set ast.SelectionSet) {
		for _, s := range set {
			switch s := s.(type) {
			case *ast.Field:
				if s.Position != nil && s.Position.Line == at.Line && s.Position.Column == at.Column {
					found = s
				}
				walk(s.SelectionSet)
			case *ast.InlineFragment:
				walk(s.SelectionSet)
			}
		}
	}
	for _, op := range doc.Operations {
		walk(op.SelectionSet)
	}
	for _, fr := range doc.Fragments {
		walk(fr.SelectionSet)
	}
	return found
}

// argumentAt finds the unknown argument a KnownArgumentNames error is about.
func argumentAt(doc *ast.QueryDocument, e *gqlerror.Error) *ast.Argument {
	f := fieldAt(doc, e)
	if f == nil || f.Definition == nil {
		return nil
	}
	for _, a := range f.Arguments {
		if f.Definition.Arguments.ForName(a.Name) == nil && a.Position != nil && strings.Contains(e.Message, `"`+a.Name+`"`) {
			return a
		}
	}
	return nil
}

// selectionNames lists the sub-selections of the field an error points at.
func selectionNames(doc *ast.QueryDocument, e *gqlerror.Error) []string {
	found := fieldAt(doc, e)
	if found == nil {
		return nil
	}
	var names []string
	for _, s := range found.SelectionSet {
		switch s := s.(type) {
		case *ast.Field:
			names = append(names, `"`+s.Name+`"`)
		case *ast.FragmentSpread:
			names = append(names, `"`+s.Name+`"`)
		case *ast.InlineFragment:
			names = append(names, `"... on `+s.TypeCondition+` { ... }"`)
		}
	}
	return names
}
