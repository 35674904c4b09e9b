'use strict';

// The project's one GitLab stand-in (internal/gitlabfake), run as a process
// for each template case so that every case starts from the same GitLab: the
// platform's groups, a bot user whose token the Backstage integration holds,
// and git's smart HTTP for clone and push. Read back through GitLab's own API.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');
const { spawn, execFileSync } = require('node:child_process');

const TOKEN = 'glpat-backstage-bot-test-token';

// Starts BIN with the given groups; resolves when it prints its base URL.
async function startGitlab({ bin, groups }) {
  const gitRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'gitlabfake-git-'));
  const args = ['-listen', process.env.GITLABFAKE_LISTEN ?? '127.0.0.1:0', '-token', TOKEN, '-gitlab-com', '-git-root', gitRoot];
  for (const g of groups) args.push('-group', g);
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr = [];
  child.stderr.on('data', (d) => stderr.push(d));
  const baseUrl = await new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout });
    lines.once('line', (line) => resolve(line.trim()));
    child.once('exit', (code) => reject(new Error(`gitlabfake exited with ${code}: ${Buffer.concat(stderr)}`)));
  });
  const url = new URL(baseUrl);
  return {
    baseUrl,
    host: url.host,
    token: TOKEN,
    api: (p, init = {}) => api(baseUrl, p, init),
    async rawFile(project, file, ref) {
      const res = await fetch(`${baseUrl}/api/v4/projects/${encodeURIComponent(project)}/repository/files/${encodeURIComponent(file)}/raw?ref=${encodeURIComponent(ref)}`, { headers: { 'PRIVATE-TOKEN': TOKEN } });
      if (!res.ok) throw new Error(`GitLab: no ${file} at ${ref} in ${project} (${res.status})`);
      return res.text();
    },
    // A project that exists before the task runs, e.g. a name already taken.
    async createProject({ path: fullPath, topics = [] }) {
      const ns = await api(baseUrl, `/namespaces/${encodeURIComponent(path.posix.dirname(fullPath))}`);
      return api(baseUrl, '/projects', { method: 'POST', body: { namespace_id: ns.id, path: path.posix.basename(fullPath), name: path.posix.basename(fullPath), visibility: 'private', topics } });
    },
    // The stand-in's control API: faults to inject, and the GitLab requests
    // it answered, by endpoint (e.g. "POST /projects", "git git-receive-pack").
    async injectFaults(faults) {
      for (const fault of faults) await control(baseUrl, 'POST', '/faults', fault);
    },
    async clearFaults() {
      await control(baseUrl, 'DELETE', '/faults');
    },
    async resetRequests() {
      await control(baseUrl, 'DELETE', '/requests');
    },
    async requests() {
      return (await control(baseUrl, 'GET', '/requests')).by_endpoint;
    },
    // What a reviewer of the new project would look at in its settings.
    async projectSettings(project) {
      const id = encodeURIComponent(project);
      const p = await api(baseUrl, `/projects/${id}`);
      const protectedBranches = await api(baseUrl, `/projects/${id}/protected_branches`);
      const variables = await api(baseUrl, `/projects/${id}/variables`);
      const tokens = await api(baseUrl, `/projects/${id}/access_tokens`);
      return {
        visibility: p.visibility,
        topics: p.topics ?? [],
        protectedBranches: protectedBranches.map((b) => b.name),
        variables: Object.fromEntries(variables.map((v) => [v.key, { masked: v.masked, protected: v.protected, hidden: Boolean(v.hidden) }])),
        accessTokens: tokens.filter((t) => t.active !== false && !t.revoked).map((t) => ({ scopes: t.scopes, accessLevel: t.access_level })),
      };
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)));
      fs.rmSync(gitRoot, { recursive: true, force: true });
    },
  };
}

async function api(baseUrl, p, { method = 'GET', body } = {}) {
  const res = await fetch(`${baseUrl}/api/v4${p}`, {
    method,
    headers: { 'PRIVATE-TOKEN': TOKEN, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`GitLab ${method} ${p}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

async function control(baseUrl, method, p, body) {
  const res = await fetch(`${baseUrl}/-/fake${p}`, {
    method,
    headers: body ? { 'Content-Type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`gitlabfake ${method} ${p}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

// The projects that exist in GROUPS ({id, path}), in the groups' order.
async function listProjects(gitlab, groups) {
  const found = [];
  for (const g of groups) {
    const projects = await gitlab.api(`/groups/${encodeURIComponent(g)}/projects?per_page=100&include_subgroups=true&order_by=id&sort=asc`);
    found.push(...projects.map((p) => ({ id: p.id, path: p.path_with_namespace })));
  }
  return found;
}

// A working copy of PROJECT's default branch, cloned over git's smart HTTP.
function cloneProject(gitlab, project, dir) {
  const url = new URL(`${gitlab.baseUrl}/${project}.git`);
  url.username = 'oauth2';
  url.password = gitlab.token;
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  execFileSync('git', ['clone', '--quiet', url.toString(), dir], { stdio: 'pipe' });
  fs.rmSync(path.join(dir, '.git'), { recursive: true, force: true });
  return dir;
}

module.exports = { startGitlab, listProjects, cloneProject };
