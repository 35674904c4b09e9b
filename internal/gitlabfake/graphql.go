package gitlabfake

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
)

// GitLab's GraphQL API, POST /api/graphql, for the schema subset in
// graphql_schema.go. gqlparser parses and validates; each query is charged
// and limited as GitLab charges it (graphql_complexity.go); execution walks
// the validated selection set over the fake's state under one read lock, so
// a query sees one consistent snapshot.

// graphQLEndpoint is the Requests and Fault.Endpoint name of the endpoint.
const graphQLEndpoint = "POST /api/graphql"

// maxGraphQLQuerySize is GraphqlController::MAX_QUERY_SIZE, in characters
// over all queries of a request.
const maxGraphQLQuerySize = 10_000

type gqlErr struct {
	Message   string   `json:"message"`
	Locations []gqlLoc `json:"locations,omitempty"`
	Path      []any    `json:"path,omitempty"`
}

type gqlLoc struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

type gqlRequest struct {
	Query         string          `json:"query"`
	OperationName string          `json:"operationName"`
	Variables     json.RawMessage `json:"variables"`
}

// gqlQuery is one operation, prepared: either errs (parse, validation or
// variables) or a validated operation with coerced variables.
type gqlQuery struct {
	op           *ast.OperationDefinition
	vars         map[string]any
	errs         []gqlErr
	score, depth int
}

// graphQL serves one query or, for a JSON array body, an Apollo-style batch
// that GitLab runs as one multiplex and charges as a whole.
func (f *Fake) graphQL(rq *request) {
	authed, ok := f.graphQLViewer(rq.r)
	if !ok {
		writeGraphQLError(rq.w, http.StatusUnauthorized, "Invalid token")
		return
	}
	reqs, batch, err := readGraphQLRequests(rq.r)
	if err != nil {
		writeGraphQLError(rq.w, http.StatusBadRequest, err.Error())
		return
	}
	size := 0
	vars := make([]map[string]any, len(reqs))
	for i, q := range reqs {
		size += utf8.RuneCountInString(q.Query)
		if vars[i], err = graphQLVariables(q.Variables); err != nil {
			writeGraphQLError(rq.w, http.StatusUnprocessableEntity, err.Error())
			return
		}
	}
	if size > maxGraphQLQuerySize {
		writeGraphQLError(rq.w, http.StatusUnprocessableEntity, "Query too large")
		return
	}

	maxScore, maxDepth := graphQLLimits(authed)
	qs := make([]*gqlQuery, len(reqs))
	total := 0
	for i, r := range reqs {
		qs[i] = prepareGraphQL(r, vars[i])
		total += qs[i].score
	}
	f.mu.RLock()
	results := make([]any, len(qs))
	for i, q := range qs {
		if q.errs == nil {
			// A batch is refused whole when it costs too much together.
			if batch && total > maxScore {
				q.errs = append(q.errs, complexityError(total, maxScore))
			}
			q.errs = append(q.errs, analysisErrors(q.depth, maxDepth, q.score, maxScore)...)
		}
		if q.errs != nil {
			results[i] = map[string]any{"errors": q.errs}
			continue
		}
		x := &gqlExec{f: f, authed: authed, base: rq.base, vars: q.vars, score: q.score, limit: maxScore}
		results[i] = x.run(q.op)
	}
	f.mu.RUnlock()
	if batch {
		writeJSON(rq.w, http.StatusOK, results)
		return
	}
	writeJSON(rq.w, http.StatusOK, results[0])
}

// graphQLViewer tells an authenticated caller from an anonymous one, whom
// GitLab serves public data. A token that matches no user is refused
// (ok false) rather than treated as anonymous.
func (f *Fake) graphQLViewer(r *http.Request) (authed, ok bool) {
	if f.opts.Token == "" || f.authorized(r) {
		return true, true
	}
	q := r.URL.Query()
	present := r.Header.Get("Private-Token") != "" || q.Get("private_token") != "" ||
		q.Get("access_token") != "" || r.Header.Get("Authorization") != ""
	return false, !present
}

// GraphqlController#render_error's shape.
func writeGraphQLError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"errors": []gqlErr{{Message: msg}}})
}

// readGraphQLRequests reads a JSON body (an object, or an array for a
// batch) or, like Rails, form or query parameters.
func readGraphQLRequests(r *http.Request) ([]gqlRequest, bool, error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "application/json" {
		if err := r.ParseForm(); err != nil {
			return nil, false, err
		}
		return []gqlRequest{{
			Query:         r.Form.Get("query"),
			OperationName: r.Form.Get("operationName"),
			Variables:     jsonString(r.Form.Get("variables")),
		}}, false, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 16<<20))
	if err != nil {
		return nil, false, err
	}
	body = bytes.TrimSpace(body)
	if len(body) > 0 && body[0] == '[' {
		var reqs []gqlRequest
		if err := json.Unmarshal(body, &reqs); err != nil {
			return nil, false, fmt.Errorf("invalid JSON body: %w", err)
		}
		return reqs, true, nil
	}
	var req gqlRequest
	if len(body) > 0 {
		if err := json.Unmarshal(body, &req); err != nil {
			return nil, false, fmt.Errorf("invalid JSON body: %w", err)
		}
	}
	return []gqlRequest{req}, false, nil
}

func jsonString(s string) json.RawMessage {
	b, _ := json.Marshal(s)
	return b
}

// graphQLVariables is Gitlab::Graphql::Variables: an object, a string of
// JSON (empty for none), or null.
func graphQLVariables(raw json.RawMessage) (map[string]any, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return map[string]any{}, nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if strings.TrimSpace(s) == "" {
			return map[string]any{}, nil
		}
		raw = json.RawMessage(s)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("Unexpected parameter: %s", raw)
	}
	return m, nil
}

// prepareGraphQL parses, picks the operation, validates, coerces the
// variables and measures the query, stopping at the first stage that fails,
// as graphql-ruby's validation pipeline does.
func prepareGraphQL(req gqlRequest, vars map[string]any) *gqlQuery {
	fail := func(errs ...gqlErr) *gqlQuery { return &gqlQuery{errs: errs} }
	if strings.TrimSpace(req.Query) == "" {
		return fail(gqlErr{Message: "No query string was present"})
	}
	doc, err := parser.ParseQuery(&ast.Source{Input: req.Query})
	if err != nil {
		var ge *gqlerror.Error
		if errors.As(err, &ge) {
			return fail(gqlErr{Message: ge.Message, Locations: gqlLocations(ge.Locations)})
		}
		return fail(gqlErr{Message: err.Error()})
	}
	var op *ast.OperationDefinition
	switch {
	case req.OperationName != "":
		if op = doc.Operations.ForName(req.OperationName); op == nil {
			return fail(gqlErr{Message: fmt.Sprintf("No operation named %q", req.OperationName)})
		}
	case len(doc.Operations) == 1:
		op = doc.Operations[0]
	default:
		return fail(gqlErr{Message: "An operation name is required"})
	}
	if errs := validateGraphQL(doc); len(errs) > 0 {
		return fail(errs...)
	}
	coerced, err := validator.VariableValues(graphQLSchema, op, vars)
	if err != nil {
		return fail(variableError(op, err))
	}
	return &gqlQuery{
		op:    op,
		vars:  coerced,
		score: selectionComplexity("Query", op.SelectionSet, coerced),
		depth: selectionDepth("Query", op.SelectionSet, coerced),
	}
}

// variableError words a coercion failure as GraphQL::Query::VariableValidationError.
func variableError(op *ast.OperationDefinition, err error) gqlErr {
	var ge *gqlerror.Error
	if !errors.As(err, &ge) || len(ge.Path) < 2 {
		return gqlErr{Message: err.Error()}
	}
	name := fmt.Sprint(ge.Path[1])
	def := op.VariableDefinitions.ForName(name)
	if def == nil {
		return gqlErr{Message: ge.Message}
	}
	msg := fmt.Sprintf("Variable $%s of type %s was provided invalid value", name, def.Type.String())
	if len(ge.Path) > 2 {
		parts := make([]string, 0, len(ge.Path)-2)
		for _, p := range ge.Path[2:] {
			parts = append(parts, fmt.Sprint(p))
		}
		msg += " for " + strings.Join(parts, ".")
	}
	return gqlErr{Message: msg, Locations: []gqlLoc{{Line: def.Position.Line, Column: def.Position.Column}}}
}
