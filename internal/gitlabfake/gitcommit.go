package gitlabfake

import (
	"fmt"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"time"
)

// gitCommit makes a commit the Go API asks for (CommitOn, AddProject's
// files) in the project's git repository with git fast-import, then records
// git's commit, so that clones and the REST API agree on every SHA. Callers
// hold f.mu; an empty content deletes the file, as in commit.
func (f *Fake) gitCommit(p *project, c CommitSpec) string {
	branch := orDefault(c.Branch, p.defaultBranch)
	from := p.branches[branch]
	if from == nil {
		from = p.head() // a new branch starts from the default branch
	}
	paths := make([]string, 0, len(c.Files))
	for path := range c.Files {
		paths = append(paths, path)
	}
	sort.Strings(paths)
	when := c.Time
	if when.IsZero() {
		when = f.now()
	}
	msg := c.Message
	if msg == "" {
		msg = "Update " + strings.Join(paths, ", ")
	}
	who := fmt.Sprintf("%s <%s> %d +0000", orDefault(c.AuthorName, "Administrator"), orDefault(c.AuthorEmail, "admin@example.com"), when.Unix())
	var sb strings.Builder
	fmt.Fprintf(&sb, "commit refs/heads/%s\nauthor %s\ncommitter %s\ndata %d\n%s\n", branch, who, who, len(msg), msg)
	if from != nil {
		fmt.Fprintf(&sb, "from %s\n", from.sha)
	}
	for _, raw := range paths {
		path := quotePath(strings.Trim(raw, "/"))
		if content := c.Files[raw]; content == "" {
			fmt.Fprintf(&sb, "D %s\n", path)
		} else {
			fmt.Fprintf(&sb, "M 100644 inline %s\ndata %d\n%s\n", path, len(content), content)
		}
	}
	cmd := exec.Command("git", "-C", p.repo, "fast-import", "--quiet", "--force")
	cmd.Stdin = strings.NewReader(sb.String())
	if out, err := cmd.CombinedOutput(); err != nil {
		panic(fmt.Sprintf("gitlabfake: fast-import into project %d: %v\n%s", p.id, err, out))
	}
	tip, err := gitOutput(p.repo, "rev-parse", "refs/heads/"+branch)
	if err != nil {
		panic(err)
	}
	nc, err := readGitCommit(p.repo, strings.TrimSpace(tip))
	if err != nil {
		panic(err)
	}
	nc.time = when.UTC().Truncate(time.Millisecond)
	f.recordCommit(p, branch, nc)
	if branch == p.defaultBranch {
		f.protectDefaultBranch(p)
	}
	return nc.sha
}

// quotePath writes a path the way fast-import reads a quoted one.
func quotePath(p string) string {
	if !strings.ContainsAny(p, "\"\\\n ") {
		return p
	}
	return strconv.Quote(p)
}
