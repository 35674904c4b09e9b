package gitlabfake

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Connections: GitLab's keyset pages of projects and graphql-ruby's array
// pages of blobs, with their cursors.

// connectionField answers ProjectConnection and RepositoryBlobConnection.
func connectionField(c *gqlConnection, field string) any {
	switch field {
	case "count":
		return c.count
	case "nodes":
		return c.nodes
	case "edges":
		edges := make([]any, len(c.nodes))
		for i, n := range c.nodes {
			edges[i] = gqlEdge{cursor: c.cursors[i], node: n}
		}
		return edges
	case "pageInfo":
		return c
	}
	return nil
}

// pageInfoField answers PageInfo from the page it describes.
func pageInfoField(c *gqlConnection, field string) any {
	switch field {
	case "hasNextPage":
		return c.hasNext
	case "hasPreviousPage":
		return c.hasPrev
	case "startCursor":
		if len(c.cursors) == 0 {
			return nil
		}
		return c.cursors[0]
	case "endCursor":
		if len(c.cursors) == 0 {
			return nil
		}
		return c.cursors[len(c.cursors)-1]
	}
	return nil
}

// projectOrder is a keyset order: one column, then id, in one direction.
type projectOrder struct {
	column string // id, name, path, created_at or last_activity_at
	desc   bool
}

// projectsSort maps ProjectsFinder's sort strings; others fall back to its
// default, id descending. Search results keep that order too, where GitLab
// would rank by trigram similarity.
func projectsSort(s string) projectOrder {
	col, dir, _ := strings.Cut(s, "_")
	if strings.HasPrefix(s, "latest_activity_") {
		col, dir = "last_activity_at", strings.TrimPrefix(s, "latest_activity_")
	} else if col == "created" {
		col = "created_at"
	}
	switch {
	case dir != "asc" && dir != "desc",
		col != "id" && col != "name" && col != "path" && col != "created_at" && col != "last_activity_at":
		return projectOrder{column: "id", desc: true}
	}
	return projectOrder{column: col, desc: dir == "desc"}
}

// projectKey is a project's position in an order.
type projectKey struct {
	str string
	num int64
	id  int64
}

func (o projectOrder) key(p *project) projectKey {
	k := projectKey{id: p.id}
	switch o.column {
	case "name":
		k.str = strings.ToLower(p.name)
	case "path":
		k.str = strings.ToLower(p.path)
	case "created_at":
		k.num = p.createdAt.UnixNano()
	case "last_activity_at":
		k.num = p.lastActivityAt.UnixNano()
	}
	return k
}

func (o projectOrder) compare(a, b projectKey) int {
	c := strings.Compare(a.str, b.str)
	if c == 0 {
		c = compareInt(a.num, b.num)
	}
	if c == 0 {
		c = compareInt(a.id, b.id)
	}
	if o.desc {
		return -c
	}
	return c
}

// cursor is GitLab's keyset cursor: the order's columns as JSON, encoded
// base64url without padding.
func (o projectOrder) cursor(p *project) string {
	k := o.key(p)
	var b strings.Builder
	b.WriteByte('{')
	switch o.column {
	case "name", "path":
		v, _ := json.Marshal(k.str)
		fmt.Fprintf(&b, "%q:%s,", o.column, v)
	case "created_at", "last_activity_at":
		fmt.Fprintf(&b, "%q:\"%d\",", o.column, k.num)
	}
	fmt.Fprintf(&b, "\"id\":\"%d\"}", k.id)
	return base64.RawURLEncoding.EncodeToString([]byte(b.String()))
}

func (o projectOrder) decode(cursor string) (projectKey, error) {
	raw, err := decodeCursor(cursor)
	if err != nil {
		return projectKey{}, err
	}
	invalid := errors.New("Please provide a valid cursor")
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil {
		return projectKey{}, invalid
	}
	num := func(k string) (int64, bool) {
		n, err := strconv.ParseInt(fmt.Sprint(m[k]), 10, 64)
		return n, err == nil
	}
	var k projectKey
	var ok bool
	if k.id, ok = num("id"); !ok {
		return projectKey{}, invalid
	}
	switch o.column {
	case "name", "path":
		if k.str, ok = m[o.column].(string); !ok {
			return projectKey{}, invalid
		}
	case "created_at", "last_activity_at":
		if k.num, ok = num(o.column); !ok {
			return projectKey{}, invalid
		}
	}
	return k, nil
}

// decodeCursor is graphql-ruby's Base64Encoder.decode: URL-safe or
// standard alphabet, padding optional, nothing else tolerated.
func decodeCursor(cursor string) ([]byte, error) {
	s := strings.NewReplacer("-", "+", "_", "/").Replace(cursor)
	if !strings.HasSuffix(s, "=") && len(s)%4 != 0 {
		s += strings.Repeat("=", 4-len(s)%4)
	}
	raw, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("Invalid cursor: %s", strconv.Quote(cursor))
	}
	return raw, nil
}

// pageBounds reads first and last as graphql-ruby's connections do: capped
// at the max page size, negative as zero, first defaulting to the max page
// size when neither is given.
func pageBounds(args map[string]any) (first int, hasFirst bool, last int, hasLast bool) {
	clamp := func(n int) int { return min(max(n, 0), maxGraphQLPageSize) }
	if first, hasFirst = gqlArgInt(args, "first"); hasFirst {
		first = clamp(first)
	}
	if last, hasLast = gqlArgInt(args, "last"); hasLast {
		last = clamp(last)
	}
	if !hasFirst && !hasLast {
		first, hasFirst = maxGraphQLPageSize, true
	}
	return first, hasFirst, last, hasLast
}

// pageProjects is Gitlab::Graphql::Pagination::Keyset::Connection over the
// filtered projects.
func pageProjects(list []*project, o projectOrder, args map[string]any) (any, error) {
	first, hasFirst, last, hasLast := pageBounds(args)
	if _, given := gqlArgInt(args, "first"); given && hasLast {
		return nil, errors.New("Can only provide either `first` or `last`, not both")
	}
	sort.Slice(list, func(i, j int) bool { return o.compare(o.key(list[i]), o.key(list[j])) < 0 })
	sliced := list
	before, after := gqlArgString(args, "before"), gqlArgString(args, "after")
	if before != "" {
		k, err := o.decode(before)
		if err != nil {
			return nil, err
		}
		sliced = sliced[:sort.Search(len(sliced), func(i int) bool { return o.compare(o.key(sliced[i]), k) >= 0 })]
	}
	if after != "" {
		k, err := o.decode(after)
		if err != nil {
			return nil, err
		}
		sliced = sliced[sort.Search(len(sliced), func(i int) bool { return o.compare(o.key(sliced[i]), k) > 0 }):]
	}
	limit := first
	if hasLast {
		limit = last
	}
	page := sliced[:min(limit, len(sliced))]
	if hasLast {
		page = sliced[max(0, len(sliced)-limit):]
	}
	c := &gqlConnection{
		nodes:   []any{},
		count:   len(list),
		hasPrev: after != "" || hasLast && len(sliced) > limit,
		hasNext: before != "" || hasFirst && len(sliced) > limit,
	}
	for _, p := range page {
		c.nodes = append(c.nodes, p)
		c.cursors = append(c.cursors, o.cursor(p))
	}
	return c, nil
}

// pageArray is graphql-ruby's ArrayConnection: cursors are 1-based
// positions, encoded.
func pageArray(items []any, args map[string]any) (any, error) {
	first, hasFirst, last, hasLast := pageBounds(args)
	index := func(name string) (int, bool, error) {
		s := gqlArgString(args, name)
		if s == "" {
			return 0, false, nil
		}
		raw, err := decodeCursor(s)
		if err != nil {
			return 0, false, err
		}
		return rubyToI(string(raw)), true, nil
	}
	b, hasBefore, err := index("before")
	if err != nil {
		return nil, err
	}
	a, hasAfter, err := index("after")
	if err != nil {
		return nil, err
	}
	lo, hi := 0, len(items)
	if hasBefore {
		hi = min(max(b-1, 0), len(items))
	}
	if hasAfter {
		lo = min(max(a, 0), hi)
	}
	sliced := items[lo:hi]
	c := &gqlConnection{
		nodes:   []any{},
		hasPrev: hasLast && len(sliced) > last || !hasLast && hasAfter && a > 0,
		hasNext: hasBefore && b < len(items)+1 || !hasBefore && hasFirst && len(sliced) > first,
	}
	if hasFirst && len(sliced) > first {
		sliced = sliced[:first]
	}
	if hasLast && len(sliced) > last {
		lo += len(sliced) - last
		sliced = sliced[len(sliced)-last:]
	}
	for i, it := range sliced {
		c.nodes = append(c.nodes, it)
		c.cursors = append(c.cursors, base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(lo+i+1))))
	}
	return c, nil
}

// rubyToI is String#to_i: the leading integer, or 0.
func rubyToI(s string) int {
	s = strings.TrimLeft(s, " \t\n")
	end := 0
	for end < len(s) && (s[end] >= '0' && s[end] <= '9' || end == 0 && (s[end] == '-' || s[end] == '+')) {
		end++
	}
	n, _ := strconv.Atoi(s[:end])
	return n
}
