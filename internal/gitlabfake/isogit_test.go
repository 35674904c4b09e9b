package gitlabfake_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/vibe-coder-biz/idp/internal/gitlabfake"
)

// isogitScript pushes a first commit and clones it back with isomorphic-git,
// as Backstage's publish:gitlab does (auth through onAuth, after a 401).
const isogitScript = `
const fs = require('fs'), path = require('path');
const git = require('isomorphic-git'), http = require('isomorphic-git/http/node');
const [url, token, dir] = process.argv.slice(2);
const onAuth = () => ({ username: 'oauth2', password: token });
(async () => {
  const src = path.join(dir, 'src'), dst = path.join(dir, 'dst');
  fs.mkdirSync(src);
  await git.init({ fs, dir: src, defaultBranch: 'main' });
  fs.writeFileSync(path.join(src, 'app.yaml'), 'name: iso\n');
  await git.add({ fs, dir: src, filepath: 'app.yaml' });
  await git.commit({ fs, dir: src, message: 'Initial commit', author: { name: 'Scaffolder', email: 's@example.com' } });
  await git.addRemote({ fs, dir: src, remote: 'origin', url });
  const res = await git.push({ fs, http, dir: src, remote: 'origin', ref: 'main', onAuth });
  if (!res.ok) throw new Error('push: ' + JSON.stringify(res));
  await git.clone({ fs, http, dir: dst, url, onAuth, singleBranch: true });
  process.stdout.write(fs.readFileSync(path.join(dst, 'app.yaml'), 'utf8'));
})().catch((e) => { console.error(e); process.exit(1); });
`

// TestIsomorphicGitPushesAndClones runs only with ISOGIT set, since it
// installs isomorphic-git from npm into a temporary directory.
func TestIsomorphicGitPushesAndClones(t *testing.T) {
	if os.Getenv("ISOGIT") == "" {
		t.Skip("set ISOGIT=1 to run isomorphic-git against the fake (needs node and npm)")
	}
	f, _ := startManaged(t, gitlabfake.Options{})
	c := client(t, f)
	p := create(t, c, f, "gitops", "iso")
	dir := t.TempDir()
	install := exec.Command("npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", dir, "isomorphic-git@1")
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("npm install: %v\n%s", err, out)
	}
	script := filepath.Join(dir, "push.js")
	if err := os.WriteFile(script, []byte(isogitScript), 0o644); err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	cmd := exec.Command("node", script, p.HTTPURLToRepo, token, work)
	cmd.Env = append(os.Environ(), "NODE_PATH="+filepath.Join(dir, "node_modules"))
	out, err := cmd.CombinedOutput()
	if err != nil || string(out) != "name: iso\n" {
		t.Fatalf("isomorphic-git: %v\n%s", err, out)
	}
	raw, _, err := c.RepositoryFiles.GetRawFile(p.ID, "app.yaml", &gitlab.GetRawFileOptions{Ref: gitlab.Ptr("main")})
	if err != nil || string(raw) != "name: iso\n" {
		t.Fatalf("raw after the isomorphic-git push: %q, %v", raw, err)
	}
}
