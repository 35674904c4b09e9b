package source

import (
	"context"
	"fmt"
	"strconv"

	gitlab "gitlab.com/gitlab-org/api/client-go"
)

// ErrIncomplete reports a listing that GitLab's own totals or links show
// to be short: publishing it would drop apps from Argo CD's view.
type ErrIncomplete struct{ Reason string }

func (e *ErrIncomplete) Error() string {
	return "gitlab: the project listing is incomplete: " + e.Reason + "; keeping the last complete scan"
}

const listPageSize = 100

// listProjects walks the group's listing, subgroups included, ordered by
// id, and proves it complete. It asks for keyset pages; GitLab answers the
// group endpoint with offset pages in releases that keyset only /projects,
// and the walk checks whichever comes back.
func (g *GitLab) listProjects(ctx context.Context, group groupRef) ([]Project, error) {
	opts := &gitlab.ListGroupProjectsOptions{
		ListOptions:      gitlab.ListOptions{PerPage: listPageSize, OrderBy: "id", Sort: "asc", Pagination: "keyset"},
		IncludeSubGroups: gitlab.Ptr(true),
		WithShared:       gitlab.Ptr(g.opts.IncludeShared),
	}
	if !g.opts.IncludeArchived {
		opts.Archived = gitlab.Ptr(false)
	}
	var (
		walk walk
		out  []Project
		next gitlab.RequestOptionFunc
	)
	for {
		reqOpts := []gitlab.RequestOptionFunc{gitlab.WithContext(ctx)}
		if next != nil {
			reqOpts = append(reqOpts, next)
		}
		gps, resp, err := g.client.Groups.ListGroupProjects(group.ID, opts, reqOpts...)
		if err != nil {
			return nil, fmt.Errorf("gitlab: list projects of group %s: %w", group.FullPath, err)
		}
		if next, err = walk.page(resp, gps); err != nil {
			return nil, err
		}
		for _, gp := range gps {
			if g.belongs(gp, group) {
				out = append(out, project(gp))
			}
		}
		if next == nil {
			if err := walk.probe(ctx, g, group, opts, resp); err != nil {
				return nil, err
			}
			return out, nil
		}
	}
}

// probe proves the end of a keyset walk, which carries no totals: a last
// page that lost its tail looks like any short page. One offset page of one
// project carries GitLab's count in X-Total; past 10,000 projects GitLab
// stops counting, and the probe asks instead for what follows the last
// project. Offset walks are proven by their own X-Total.
func (w *walk) probe(ctx context.Context, g *GitLab, group groupRef, opts *gitlab.ListGroupProjectsOptions, last *gitlab.Response) error {
	if last.Header.Get("X-Page") != "" {
		return nil
	}
	count := *opts
	count.ListOptions = gitlab.ListOptions{PerPage: 1, OrderBy: "id", Sort: "asc"}
	_, resp, err := g.client.Groups.ListGroupProjects(group.ID, &count, gitlab.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("gitlab: count projects of group %s: %w", group.FullPath, err)
	}
	if resp.Header.Get("X-Total") != "" {
		if resp.TotalItems != int64(w.items) {
			return &ErrIncomplete{fmt.Sprintf("the keyset walk found %d projects, X-Total says %d", w.items, resp.TotalItems)}
		}
		return nil
	}
	q := last.Request.URL.Query()
	q.Set("id_after", strconv.FormatInt(w.lastID, 10))
	u := *last.Request.URL
	u.RawQuery = q.Encode()
	gps, _, err := g.client.Groups.ListGroupProjects(group.ID, opts, gitlab.WithContext(ctx), gitlab.WithKeysetPaginationParameters(u.String()))
	if err != nil {
		return fmt.Errorf("gitlab: list projects of group %s: %w", group.FullPath, err)
	}
	if len(gps) > 0 {
		return &ErrIncomplete{fmt.Sprintf("keyset page %d ended early: project %d follows its last project %d", w.pages, gps[0].ID, w.lastID)}
	}
	return nil
}

// walk checks a paginated listing page by page: every page but the last is
// full, ids only grow, the totals GitLab reports stay put and add up, and
// the end is a short page, never a full one without a way on.
type walk struct {
	pages  int
	items  int
	lastID int64
	total  string // X-Total of the first offset page, "" when not counted
}

func (w *walk) page(resp *gitlab.Response, gps []*gitlab.Project) (gitlab.RequestOptionFunc, error) {
	w.pages++
	for _, gp := range gps {
		if gp.ID <= w.lastID {
			return nil, &ErrIncomplete{fmt.Sprintf("page %d repeats or reorders projects (id %d after %d)", w.pages, gp.ID, w.lastID)}
		}
		w.lastID = gp.ID
	}
	w.items += len(gps)
	full := len(gps) >= listPageSize
	if resp.Header.Get("X-Page") == "" {
		return w.keyset(resp, full)
	}
	return w.offset(resp, len(gps), full)
}

// keyset pages carry only a rel="next" link, present while a page is full.
func (w *walk) keyset(resp *gitlab.Response, full bool) (gitlab.RequestOptionFunc, error) {
	switch {
	case full && resp.NextLink == "":
		return nil, &ErrIncomplete{fmt.Sprintf("keyset page %d is full but has no next link", w.pages)}
	case !full && resp.NextLink != "":
		return nil, &ErrIncomplete{fmt.Sprintf("keyset page %d is short but links to a next page", w.pages)}
	case !full:
		return nil, nil
	}
	return gitlab.WithKeysetPaginationParameters(resp.NextLink), nil
}

// offset pages carry X-Total and X-Total-Pages up to 10,000 projects; past
// that GitLab stops counting, and only a short page ends the walk.
func (w *walk) offset(resp *gitlab.Response, n int, full bool) (gitlab.RequestOptionFunc, error) {
	total := resp.Header.Get("X-Total")
	if w.pages == 1 {
		w.total = total
	}
	if total != w.total {
		return nil, &ErrIncomplete{fmt.Sprintf("X-Total went from %q to %q during the listing (projects were added or removed)", w.total, total)}
	}
	if resp.CurrentPage != int64(w.pages) {
		return nil, &ErrIncomplete{fmt.Sprintf("asked for page %d, GitLab answered page %d", w.pages, resp.CurrentPage)}
	}
	if total == "" {
		if !full {
			return nil, nil
		}
		return gitlab.WithOffsetPaginationParameters(int64(w.pages + 1)), nil
	}
	want, pages := resp.TotalItems, resp.TotalPages
	if wantPages := max(1, (want+listPageSize-1)/listPageSize); pages != wantPages {
		return nil, &ErrIncomplete{fmt.Sprintf("X-Total %d in pages of %d makes %d pages, X-Total-Pages says %d", want, listPageSize, wantPages, pages)}
	}
	if int64(w.pages) < pages {
		if !full {
			return nil, &ErrIncomplete{fmt.Sprintf("page %d of %d holds %d projects, not %d", w.pages, pages, n, listPageSize)}
		}
		return gitlab.WithOffsetPaginationParameters(int64(w.pages + 1)), nil
	}
	if int64(w.items) != want {
		return nil, &ErrIncomplete{fmt.Sprintf("the listing holds %d projects, X-Total says %d", w.items, want)}
	}
	return nil, nil
}
