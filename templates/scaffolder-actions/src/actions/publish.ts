import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { ScmIntegrationRegistry } from '@backstage/integration';
import {
  createGitlabProjectAccessTokenAction,
  createGitlabProjectVariableAction,
  createPublishGitlabAction,
} from '@backstage/plugin-scaffolder-backend-module-gitlab';
import { ActionContext, createTemplateAction, getRepoSourceDirectory, initRepoAndPush } from '@backstage/plugin-scaffolder-node';
import { JsonObject } from '@backstage/types';
import { gitlabClient, gitlabIntegration, GitlabApi, describe } from '../gitlab/client';
import { clearInProgress, deletePermanently, ensureProtected, findProject, IN_PROGRESS_TOPIC, isInProgress, revokeTokens } from '../gitlab/projects';
import { checkGitlabPaths, ownerName, projectPaths } from '../nameCheck';
import { nameProblem } from '../nameRules';
import { PlatformSettings, readPlatformSettings } from '../platform';
import { Created, rollback, rollbackSentence } from '../publish/rollback';
import { runAction } from '../publish/runAction';

export type PublishInput = {
  name: string;
  owner: string;
  description: string;
  appSourcePath: string;
  gitopsSourcePath: string;
  appCommitMessage?: string;
  gitopsCommitMessage?: string;
};

const BRANCH = 'main';
// Maintainer: the role that may push to a protected branch by default.
const MAINTAINER = 40;
// gitlab.com refuses an expiry more than 365 days ahead; a day less leaves
// room for the difference between Backstage's clock and GitLab's.
const TOKEN_DAYS = 364;
// How far GitLab's clock may be behind Backstage's when telling this
// attempt's projects from older ones after a failed create.
const CLOCK_SKEW_MS = 60_000;

type Deps = { integrations: ScmIntegrationRegistry; config: Config };
type Ctx = ActionContext<JsonObject, JsonObject>;

function tokenExpiry(now = new Date()): string {
  return new Date(now.getTime() + TOKEN_DAYS * 86_400_000).toISOString().slice(0, 10);
}

/**
 * The state of one attempt: every step records what it created before the
 * next one starts, so a failure anywhere can be undone.
 */
class Attempt {
  readonly created: Created = { projects: [] };
  readonly startedAt = Date.now();
  step = 'starting';
  /** Set once the first project may exist: only then may sweep adopt any. */
  creating = false;

  constructor(
    readonly api: GitlabApi,
    readonly p: PlatformSettings,
    readonly name: string,
  ) {}

  repoUrl(group: string): string {
    return `${this.p.gitlab.host}?owner=${encodeURIComponent(group)}&repo=${encodeURIComponent(this.name)}`;
  }

  /** Records a project publish:gitlab reported creating. */
  record(id: number, webUrl: string): { id: number; webUrl: string } {
    const project = { id, webUrl };
    if (!this.created.projects.some((c) => c.id === id)) this.created.projects.push(project);
    return project;
  }

  /**
   * Before rolling back: finds the projects publish:gitlab created but
   * failed before reporting (a push or a later request failed). Only an
   * in-progress project created since this attempt started is ours.
   */
  async sweep(paths: string[]): Promise<void> {
    if (!this.creating) return;
    for (const path of paths) {
      const project = await findProject(this.api, path).catch(() => undefined);
      if (!project || this.created.projects.some((c) => c.id === project.id)) continue;
      if (!isInProgress(project) || Date.parse(project.createdAt) < this.startedAt - CLOCK_SKEW_MS) continue;
      this.created.projects.push(project);
    }
  }
}

function dryRunOutputs(ctx: Ctx, p: PlatformSettings, baseUrl: string, name: string) {
  const remoteUrl = `${baseUrl}/${p.gitlab.appGroup}/${name}`;
  ctx.logger.info(`Dry run: would create ${p.gitlab.gitopsGroup}/${name} and ${p.gitlab.appGroup}/${name} on ${p.gitlab.host}.`);
  ctx.output('remoteUrl', remoteUrl);
  ctx.output('repoContentsUrl', `${remoteUrl}/-/blob/${BRANCH}`);
  ctx.output('gitopsRemoteUrl', `${baseUrl}/${p.gitlab.gitopsGroup}/${name}`);
  ctx.output('projectId', 0);
  ctx.output('gitopsProjectId', 0);
}

/** Removes what an interrupted scaffold of the same name left behind. */
async function removeLeftovers(ctx: Ctx, a: Attempt): Promise<void> {
  for (const leftover of await checkGitlabPaths(a.api, a.name, a.p)) {
    a.step = `removing ${leftover.webUrl}, left by an interrupted scaffold`;
    ctx.logger.info(`Removing ${leftover.webUrl}, left by an interrupted scaffold of ${a.name}.`);
    await revokeTokens(a.api, leftover.id, tokenName(a)).catch(() => 0);
    await deletePermanently(a.api, leftover.id);
  }
}

function tokenName(a: Attempt): string {
  return `pipeline of ${a.p.gitlab.appGroup}/${a.name}`;
}

async function publishSteps(ctx: Ctx, a: Attempt, input: PublishInput, deps: Deps) {
  const { p, api, name } = a;
  const publish = createPublishGitlabAction(deps);
  const settings = { visibility: p.gitlab.visibility, topics: [IN_PROGRESS_TOPIC] };

  a.step = `creating and pushing ${p.gitlab.gitopsGroup}/${name}`;
  a.creating = true;
  const gitopsPath = `${p.gitlab.gitopsGroup}/${name}`;
  const gitopsOut = await runAction(publish, ctx, {
    repoUrl: a.repoUrl(p.gitlab.gitopsGroup),
    sourcePath: input.gitopsSourcePath,
    defaultBranch: BRANCH,
    gitCommitMessage: input.gitopsCommitMessage ?? `Deploy ${name} [skip ci]`,
    settings: { ...settings, description: `Deployment of ${p.gitlab.appGroup}/${name}` },
  });
  const gitops = a.record(Number(gitopsOut.projectId), String(gitopsOut.remoteUrl));
  // Not publish:gitlab's branches input: it fails when the push has
  // protected main already, as gitlab.com's default protection does.
  a.step = `protecting ${BRANCH} of ${gitopsPath}`;
  await ensureProtected(api, gitops.id, BRANCH);

  a.step = `creating ${p.gitlab.appGroup}/${name}`;
  const appPath = `${p.gitlab.appGroup}/${name}`;
  // Created empty: its first push starts the pipeline, which needs the
  // GitOps token and a protected main, so the push comes last.
  const appOut = await runAction(publish, ctx, {
    repoUrl: a.repoUrl(p.gitlab.appGroup),
    sourcePath: false,
    defaultBranch: BRANCH,
    settings: { ...settings, description: input.description },
  });
  const app = a.record(Number(appOut.projectId), String(appOut.remoteUrl));

  a.step = `protecting ${BRANCH} of ${appPath}`;
  await ensureProtected(api, app.id, BRANCH);

  a.step = `creating an access token of ${gitopsPath}`;
  a.created.token = { projectId: gitops.id, name: tokenName(a) };
  const tokenOut = await runAction(createGitlabProjectAccessTokenAction(deps), ctx, {
    repoUrl: a.repoUrl(p.gitlab.gitopsGroup),
    projectId: gitops.id,
    name: tokenName(a),
    accessLevel: MAINTAINER,
    scopes: ['write_repository'],
    expiresAt: tokenExpiry(),
  });

  const variable = createGitlabProjectVariableAction(deps);
  a.step = `storing GITOPS_TOKEN in ${appPath}`;
  await runAction(variable, ctx, {
    repoUrl: a.repoUrl(p.gitlab.appGroup),
    projectId: app.id,
    key: 'GITOPS_TOKEN',
    value: String(tokenOut.access_token),
    variableType: 'env_var',
    variableProtected: true,
    masked: true,
    maskedAndHidden: true,
    raw: true,
  });
  a.step = `storing GITOPS_PROJECT in ${appPath}`;
  await runAction(variable, ctx, {
    repoUrl: a.repoUrl(p.gitlab.appGroup),
    projectId: app.id,
    key: 'GITOPS_PROJECT',
    value: gitopsPath,
    variableType: 'env_var',
    variableProtected: true,
    raw: true,
  });

  a.step = `pushing ${appPath}`;
  const remoteUrl = String(appOut.remoteUrl);
  const { token } = gitlabIntegration(deps.integrations, p.gitlab.host);
  await initRepoAndPush({
    dir: getRepoSourceDirectory(ctx.workspacePath, input.appSourcePath),
    remoteUrl: `${remoteUrl}.git`,
    defaultBranch: BRANCH,
    auth: { username: 'oauth2', password: token },
    logger: ctx.logger,
    commitMessage: input.appCommitMessage ?? `Create ${name}`,
    gitAuthorInfo: {
      name: deps.config.getOptionalString('scaffolder.defaultAuthor.name'),
      email: deps.config.getOptionalString('scaffolder.defaultAuthor.email'),
    },
  });

  a.step = 'clearing the in-progress marks';
  for (const id of [gitops.id, app.id]) {
    const project = await findProject(api, id);
    if (project) await clearInProgress(api, project);
  }

  ctx.output('remoteUrl', remoteUrl);
  ctx.output('repoContentsUrl', String(appOut.repoContentsUrl));
  ctx.output('gitopsRemoteUrl', String(gitopsOut.remoteUrl));
  ctx.output('projectId', app.id);
  ctx.output('gitopsProjectId', gitops.id);
}

/**
 * idp:app:publish — creates the app's GitOps and code projects together or
 * not at all. The platform settings come from config, never from input.
 */
export function createPublishAction(deps: Deps) {
  return createTemplateAction({
    id: 'idp:app:publish',
    description:
      "Creates the app's GitOps project and code project on GitLab, with a protected main, the GitOps token as a CI/CD variable of the app, or rolls both back.",
    supportsDryRun: true,
    schema: {
      input: {
        name: (z) => z.string({ description: 'The app name (checked by idp:app:check-name)' }),
        owner: (z) => z.string({ description: 'Entity reference of the owning group' }),
        description: (z) => z.string({ description: "The app project's description" }),
        appSourcePath: (z) => z.string({ description: 'Workspace folder with the rendered app repository' }),
        gitopsSourcePath: (z) => z.string({ description: 'Workspace folder with the rendered GitOps repository (app.yaml)' }),
        appCommitMessage: (z) => z.string().optional(),
        gitopsCommitMessage: (z) => z.string().optional(),
      },
      output: {
        remoteUrl: (z) => z.string({ description: "The app project's web URL" }),
        repoContentsUrl: (z) => z.string({ description: "The app repository's main branch, for catalog:register" }),
        gitopsRemoteUrl: (z) => z.string({ description: "The GitOps project's web URL" }),
        projectId: (z) => z.number({ description: "The app project's id" }),
        gitopsProjectId: (z) => z.number({ description: "The GitOps project's id" }),
      },
    },
    async handler(ctx) {
      const input = ctx.input as PublishInput;
      const problem = nameProblem(input.name);
      if (problem) throw new InputError(problem);
      ownerName(input.owner);
      const p = readPlatformSettings(deps.config);
      const c = ctx as unknown as Ctx;
      if (ctx.isDryRun) {
        dryRunOutputs(c, p, gitlabIntegration(deps.integrations, p.gitlab.host).baseUrl, input.name);
        return;
      }
      const a = new Attempt(gitlabClient(deps.integrations, p.gitlab.host), p, input.name);
      try {
        a.step = 'looking for projects of that name';
        await removeLeftovers(c, a);
        await publishSteps(c, a, input, deps);
      } catch (err) {
        await a.sweep(projectPaths(input.name, p));
        // A refused name: nothing was made, and the message says it all.
        if (err instanceof InputError && a.created.projects.length === 0) throw err;
        const r = await rollback(a.api, a.created);
        const message = `Publishing ${input.name} failed while ${a.step}: ${describe(err)}. ${rollbackSentence(r, IN_PROGRESS_TOPIC)}`;
        ctx.logger.error(message);
        throw new Error(message, { cause: err });
      }
    },
  });
}
