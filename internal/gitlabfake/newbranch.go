package gitlabfake

import (
	"net/http"
	"os/exec"
	"regexp"
	"strings"
)

// gitRefRe is a loose git check-ref-format: no spaces, control characters,
// "..", "~^:?*[\", or a leading or trailing slash or dot.
var gitRefRe = regexp.MustCompile(`^[^\s~^:?*\[\\\x00-\x1f\x7f]+$`)

func validBranchName(name string) bool {
	return gitRefRe.MatchString(name) && !strings.Contains(name, "..") && !strings.Contains(name, "//") &&
		!strings.HasPrefix(name, "/") && !strings.HasSuffix(name, "/") && !strings.HasSuffix(name, ".") &&
		!strings.HasSuffix(name, ".lock") && name != "HEAD" && !strings.Contains(name, "@{")
}

// createBranch serves POST /projects/:id/repository/branches, which
// publish:gitlab calls for each branch its template asks it to create.
func (f *Fake) createBranch(rq *request) {
	in, ok := readParams(rq)
	if !ok || !in.require(rq, "branch", "ref") {
		return
	}
	name, ref := in.str("branch"), in.str("ref")
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.managedProject(rq, accessDeveloper)
	if p == nil {
		return
	}
	if !validBranchName(name) {
		writeMessage(rq.w, http.StatusBadRequest, "Branch name is invalid")
		return
	}
	if _, exists := p.branches[name]; exists {
		writeMessage(rq.w, http.StatusBadRequest, "Branch already exists")
		return
	}
	c := p.resolveRef(ref)
	if c == nil {
		writeMessage(rq.w, http.StatusBadRequest, "Invalid reference name: "+ref)
		return
	}
	if p.repo != "" {
		if out, err := exec.Command("git", "-C", p.repo, "update-ref", "refs/heads/"+name, c.sha, "").CombinedOutput(); err != nil {
			http.Error(rq.w, string(out), http.StatusInternalServerError)
			return
		}
	}
	p.branches[name] = c
	p.version++
	writeJSON(rq.w, http.StatusCreated, p.branchEntity(rq.base, name))
}
