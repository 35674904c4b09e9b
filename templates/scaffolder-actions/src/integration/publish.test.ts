import fs from 'node:fs';
import { ConfigReader } from '@backstage/config';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { createPublishAction } from '../actions/publish';
import { IN_PROGRESS_TOPIC } from '../gitlab/projects';
import { collect, Fake, makeWorkspace, startFake } from './fake';

jest.setTimeout(60_000);

let fake: Fake;
beforeAll(async () => {
  fake = await startFake();
});
afterAll(async () => {
  await fake?.stop();
});
afterEach(async () => {
  await fake.control('DELETE', '/faults');
});

function withLeftoverAge(seconds: number): ConfigReader {
  const data = fake.config.get() as { idp: { scaffold: { leftoverAfterSeconds: number } } };
  return new ConfigReader({ ...data, idp: { ...data.idp, scaffold: { leftoverAfterSeconds: seconds } } });
}

async function publish(name: string, opts: { isDryRun?: boolean; config?: ConfigReader; appSourcePath?: string; gitopsSourcePath?: string } = {}) {
  const workspacePath = makeWorkspace(name);
  // createMockActionContext drops isDryRun, so it is set on its result.
  const ctx = {
    ...createMockActionContext({
    input: {
      name,
      owner: 'group:default/team-a',
      description: `The ${name} service`,
      appSourcePath: opts.appSourcePath ?? 'app',
      gitopsSourcePath: opts.gitopsSourcePath ?? 'gitops',
      appCommitMessage: `Create ${name}`,
      gitopsCommitMessage: `Deploy ${name} [skip ci]`,
    },
      workspacePath,
    }),
    isDryRun: opts.isDryRun,
  };
  const action = createPublishAction({ integrations: fake.integrations, config: opts.config ?? fake.config });
  try {
    await action.handler(ctx as never);
    return collect(ctx.output);
  } finally {
    fs.rmSync(workspacePath, { recursive: true, force: true });
  }
}

async function publishError(name: string, opts: Parameters<typeof publish>[1] = {}): Promise<string> {
  try {
    await publish(name, opts);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error(`publishing ${name} succeeded`);
}

const enc = encodeURIComponent;

/** Nothing of name is left in GitLab: neither path, nor a project marked for deletion. */
async function expectNothingLeft(name: string) {
  expect(await fake.status(`projects/${enc(`apps/${name}`)}`)).toBe(404);
  expect(await fake.status(`projects/${enc(`gitops/${name}`)}`)).toBe(404);
  const all = (await fake.api.Projects.all({ search: name })) as Array<{ path_with_namespace: string }>;
  expect(all.map((p) => p.path_with_namespace)).toEqual([]);
}

async function requests(): Promise<Record<string, number>> {
  return ((await fake.control('GET', '/requests')) as { by_endpoint: Record<string, number> }).by_endpoint;
}

describe('idp:app:publish against the GitLab fake', () => {
  it('creates both projects: main protected, the token scoped to the GitOps project, the variables masked, hidden and protected', async () => {
    const out = await publish('payments');
    expect(out).toEqual({
      remoteUrl: `${fake.baseUrl}/apps/payments`,
      repoContentsUrl: `${fake.baseUrl}/apps/payments/-/blob/main`,
      gitopsRemoteUrl: `${fake.baseUrl}/gitops/payments`,
      projectId: expect.any(Number),
      gitopsProjectId: expect.any(Number),
    });
    const appId = out.projectId as number;
    const gitopsId = out.gitopsProjectId as number;
    for (const id of [appId, gitopsId]) {
      const project = await fake.api.Projects.show(id);
      expect(project.topics).not.toContain(IN_PROGRESS_TOPIC);
      expect(project.visibility).toBe('private');
      const main = await fake.api.ProtectedBranches.show(id, 'main');
      const levels = main.push_access_levels as Array<{ access_level: number }>;
      expect(levels.map((l) => l.access_level)).toEqual([40]);
      expect(((await fake.control('GET', `/projects/${id}/git-log`)) as string[]).length).toBe(1);
    }
    const variable = await fake.api.ProjectVariables.show(appId, 'GITOPS_TOKEN');
    expect(variable).toMatchObject({ masked: true, hidden: true, protected: true, value: null });
    expect(await fake.api.ProjectVariables.show(appId, 'GITOPS_PROJECT')).toMatchObject({ value: 'gitops/payments', protected: true });

    const tokens = await fake.api.ProjectAccessTokens.all(gitopsId);
    expect(tokens).toEqual([expect.objectContaining({ scopes: ['write_repository'], access_level: 40, active: true, revoked: false })]);
    const expiry = Date.parse(String(tokens[0].expires_at));
    expect(expiry - Date.now()).toBeLessThanOrEqual(365 * 86_400_000);
    expect(await fake.api.ProjectAccessTokens.all(appId)).toEqual([]);
  });

  it('a dry run creates nothing and answers plausible values', async () => {
    await fake.control('DELETE', '/requests');
    const out = await publish('dry-run-app', { isDryRun: true });
    expect(out).toEqual({
      remoteUrl: `${fake.baseUrl}/apps/dry-run-app`,
      repoContentsUrl: `${fake.baseUrl}/apps/dry-run-app/-/blob/main`,
      gitopsRemoteUrl: `${fake.baseUrl}/gitops/dry-run-app`,
      projectId: 0,
      gitopsProjectId: 0,
    });
    expect(Object.keys(await requests()).filter((e) => !e.startsWith('GET '))).toEqual([]);
    await expectNothingLeft('dry-run-app');
  });

  it.each([
    ['apps', 'app group'],
    ['gitops', 'GitOps group'],
  ])('a name taken in the %s is refused before anything is created (%s)', async (group) => {
    const name = `taken-in-${group}`;
    await fake.control('POST', '/projects', { namespace: group, path: name });
    await fake.control('DELETE', '/requests');
    const message = await publishError(name);
    expect(message).toBe(`The name "${name}" is taken: GitLab already has the project ${fake.baseUrl}/${group}/${name}; choose another name.`);
    expect(Object.keys(await requests()).filter((e) => !e.startsWith('GET '))).toEqual([]);
  });

  it('refuses while another scaffold of the name may still be running', async () => {
    await fake.control('POST', '/projects', { namespace: 'gitops', path: 'running', topics: [IN_PROGRESS_TOPIC] });
    const message = await publishError('running', { config: withLeftoverAge(3600) });
    expect(message).toMatch(/^Another scaffold of "running" started at .* and may still be running \(.*\/gitops\/running\); try again after .* or choose another name\.$/);
    expect(await fake.status(`projects/${enc('gitops/running')}`)).toBe(200);
  });
});

describe('a failure at any step leaves nothing behind', () => {
  // Every API request of a successful publish, by endpoint, from a run of its own.
  let steps: Array<[string, number]> = [];
  beforeAll(async () => {
    await fake.control('DELETE', '/requests');
    await publish('census');
    steps = Object.entries(await requests())
      .filter(([e]) => !e.startsWith('git '))
      .flatMap(([e, n]) => Array.from({ length: n }, (_, k): [string, number] => [e, k + 1]));
  });

  it('the census saw every kind of step', () => {
    const endpoints = new Set(steps.map(([e]) => e));
    for (const e of ['POST /projects', 'POST /projects/:id/protected_branches', 'POST /projects/:id/access_tokens', 'POST /projects/:id/variables', 'PUT /projects/:id']) {
      expect(endpoints).toContain(e);
    }
  });

  it('fails the request, rolls back, and says so, for each request of a publish', async () => {
    expect(steps.length).toBeGreaterThan(10);
    for (const [i, [endpoint, nth]] of steps.entries()) {
      const name = `fault-${i}`;
      if (nth > 1) await fake.control('POST', '/faults', { Endpoint: endpoint, Times: nth - 1 });
      await fake.control('POST', '/faults', { Endpoint: endpoint, Status: 500, Times: 1 });
      const message = await publishError(name);
      await fake.control('DELETE', '/faults');
      expect({ endpoint, nth, message }).toEqual({
        endpoint,
        nth,
        message: expect.stringMatching(/^Publishing fault-\d+ failed while .*500.*\. (Rolled back: .*|Nothing had been created yet)\. Nothing of this attempt is left; the template can be run again\.$/),
      });
      await expectNothingLeft(name);
    }
  });

  it.each([
    ['push-gitops', 'the GitOps push (inside publish:gitlab)', { gitopsSourcePath: 'gitops/app.yaml' }, /failed while creating and pushing gitops\/push-gitops: .*Rolled back: deleted .*\/gitops\/push-gitops\./],
    ['push-app', 'the app push', { appSourcePath: 'app/README.md' }, /failed while pushing apps\/push-app: .*Rolled back: revoked the GitOps project's access token, deleted .*\/apps\/push-app, deleted .*\/gitops\/push-app\./],
  ])('%s: %s', async (name, _, opts, want) => {
    expect(await publishError(name, opts)).toMatch(want);
    await expectNothingLeft(name);
  });
});

describe('retries', () => {
  it('when rollback fails too, the error names what is left, and a retry removes it and succeeds', async () => {
    await fake.control('POST', '/faults', { Endpoint: 'POST /projects/:id/variables', Status: 500, Times: 1 });
    await fake.control('POST', '/faults', { Endpoint: 'DELETE /projects/:id', Status: 500 });
    const message = await publishError('half-made');
    expect(message).toContain('Publishing half-made failed while storing GITOPS_TOKEN in apps/half-made');
    expect(message).toContain(`Could not roll back ${fake.baseUrl}/apps/half-made (`);
    expect(message).toContain(`${fake.baseUrl}/gitops/half-made (`);
    expect(message).toContain(`which removes projects still marked ${IN_PROGRESS_TOPIC}.`);
    await fake.control('DELETE', '/faults');
    const left = await fake.api.Projects.show('apps/half-made');
    expect(left.topics).toContain(IN_PROGRESS_TOPIC);

    const out = await publish('half-made');
    expect(out.projectId).not.toBe(left.id);
    expect(await fake.status(`projects/${left.id}`)).toBe(404);
    expect(await fake.api.ProjectAccessTokens.all(out.gitopsProjectId as number)).toHaveLength(1);
  });

  it('after an interrupted scaffold (projects still marked in progress), a retry succeeds', async () => {
    const old = new Date(Date.now() - 3_600_000).toISOString();
    await fake.control('POST', '/projects', { namespace: 'gitops', path: 'interrupted', topics: [IN_PROGRESS_TOPIC], created_at: old, files: { 'app.yaml': 'x' } });
    await fake.control('POST', '/projects', { namespace: 'apps', path: 'interrupted', topics: [IN_PROGRESS_TOPIC], created_at: old });
    const out = await publish('interrupted', { config: withLeftoverAge(600) });
    expect(out.remoteUrl).toBe(`${fake.baseUrl}/apps/interrupted`);
    const gitops = await fake.api.Projects.show('gitops/interrupted');
    expect(gitops.topics).not.toContain(IN_PROGRESS_TOPIC);
  });
});
