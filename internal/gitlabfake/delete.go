package gitlabfake

import (
	"net/http"
	"os"
	"strconv"
	"strings"
)

// deletionInfix is what GitLab 18 appends to a project's name and path when
// it marks the project for deletion (Projects::MarkForDeletionService with
// rename_group_path_upon_deletion_scheduling on, as on gitlab.com): the
// project moves to "<path>-deletion_scheduled-<id>", freeing its original
// path for a new project at once, and is archived until removed.
const deletionInfix = "-deletion_scheduled-"

// deleteProject serves DELETE /projects/:id with GitLab 18's delayed
// deletion: the first call marks the project (202); a second call with
// permanently_remove=true and full_path equal to the project's full path as
// it now is (the renamed one) removes it at once (202).
func (f *Fake) deleteProject(rq *request) {
	in, ok := readParams(rq)
	if !ok {
		return
	}
	permanently, ok := in.boolean(rq, "permanently_remove")
	if !ok {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.findProject(rq.args[0])
	if p == nil || f.accessLevel(rq.tok, p) == accessNone {
		notFound(rq.w, "Project")
		return
	}
	if f.accessLevel(rq.tok, p) < accessOwner {
		writeMessage(rq.w, http.StatusForbidden, "403 Forbidden")
		return
	}
	marked := !p.markedAt.IsZero()
	switch {
	case permanently && !marked:
		writeMessage(rq.w, http.StatusBadRequest, "Project must be marked for deletion first.")
	case permanently && in.str("full_path") != p.fullPath():
		writeMessage(rq.w, http.StatusBadRequest, "`full_path` is incorrect. You must enter the complete path for the project.")
	case permanently:
		f.remove(p)
		writeMessage(rq.w, http.StatusAccepted, "202 Accepted")
	case marked:
		writeMessage(rq.w, http.StatusBadRequest, "Project has been already marked for deletion")
	default:
		f.markForDeletion(p)
		writeMessage(rq.w, http.StatusAccepted, "202 Accepted")
	}
}

func (f *Fake) markForDeletion(p *project) {
	suffix := deletionInfix + strconv.FormatInt(p.id, 10)
	delete(f.projBy, strings.ToLower(p.fullPath()))
	p.name += suffix
	p.path += suffix
	f.projBy[strings.ToLower(p.fullPath())] = p
	p.archived = true
	p.markedAt = f.now()
	p.updatedAt = f.now().UTC().Truncate(1e6)
	p.version++
	f.lists.invalidate()
}

// remove deletes a project with everything hanging off it: its repository,
// its access and deploy tokens and their bot users.
func (f *Fake) remove(p *project) {
	delete(f.projects, p.id)
	delete(f.projBy, strings.ToLower(p.fullPath()))
	p.ns.projects = deleteProjectFrom(p.ns.projects, p)
	for _, g := range p.sharedWith {
		g.shared = deleteProjectFrom(g.shared, p)
	}
	for secret, t := range f.tokens {
		if t.project == p {
			delete(f.tokens, secret)
			if t.user != nil && t.user.bot {
				delete(f.users, t.user.id)
			}
		}
	}
	if p.repo != "" {
		_ = os.RemoveAll(p.repo)
	}
	f.lists.invalidate()
}

func deleteProjectFrom(ps []*project, p *project) []*project {
	out := ps[:0]
	for _, q := range ps {
		if q != p {
			out = append(out, q)
		}
	}
	return out
}
