import { AuthService } from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { ScmIntegrationRegistry } from '@backstage/integration';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { gitlabClient, GitlabApi } from './gitlab/client';
import { findProject, isInProgress, isLeftover, ProjectInfo } from './gitlab/projects';
import { nameProblem, ownerProblem } from './nameRules';
import { PlatformSettings } from './platform';

/** The kinds whose names an app's entities would collide with. */
export const TAKEN_KINDS = ['Component', 'API', 'System', 'Resource'];

export type NameCheckDeps = {
  catalog: CatalogService;
  auth: AuthService;
  integrations: ScmIntegrationRegistry;
};

/** The owner's entity name, or an InputError saying what to pick instead. */
export function ownerName(owner: string): string {
  let ref;
  try {
    ref = parseEntityRef(owner, { defaultKind: 'group', defaultNamespace: 'default' });
  } catch {
    throw new InputError(`The owner "${owner}" is not an entity reference; pick the owning team, e.g. group:default/team-a.`);
  }
  if (ref.kind.toLocaleLowerCase('en-US') !== 'group') {
    throw new InputError(`The owner ${owner} is not a group; pick the team that owns the app.`);
  }
  const problem = ownerProblem(ref.name);
  if (problem) throw new InputError(problem);
  return ref.name;
}

async function refuseCatalogName(name: string, deps: NameCheckDeps): Promise<void> {
  const credentials = await deps.auth.getOwnServiceCredentials();
  const { items } = await deps.catalog.getEntities(
    {
      // One filter per kind (the catalog ORs them) rather than kind: [...]:
      // the in-memory catalog of catalogServiceMock ignores the keys that
      // follow an array value, where the real catalog ANDs them.
      filter: TAKEN_KINDS.map((kind) => ({ kind, 'metadata.namespace': 'default', 'metadata.name': name })),
      fields: ['kind', 'metadata.name', 'metadata.namespace'],
    },
    { credentials },
  );
  if (items.length > 0) {
    const ref = stringifyEntityRef(items[0]);
    throw new InputError(`The name "${name}" is already taken in the catalog by ${ref}; choose another name.`);
  }
}

/** The two project paths a scaffold of name creates. */
export function projectPaths(name: string, p: PlatformSettings): string[] {
  return [`${p.gitlab.gitopsGroup}/${name}`, `${p.gitlab.appGroup}/${name}`];
}

/**
 * Looks both project paths up. A project that a finished scaffold or a
 * person made refuses the name; one still marked in progress is a leftover
 * that publish removes, once it is old enough not to be a running scaffold.
 * Returns the leftovers.
 */
export async function checkGitlabPaths(api: GitlabApi, name: string, p: PlatformSettings, now = Date.now()): Promise<ProjectInfo[]> {
  const leftovers: ProjectInfo[] = [];
  for (const path of projectPaths(name, p)) {
    const project = await findProject(api, path);
    if (!project) continue;
    if (!isInProgress(project)) {
      throw new InputError(`The name "${name}" is taken: GitLab already has the project ${project.webUrl}; choose another name.`);
    }
    if (!isLeftover(project, p.leftoverAfterSeconds, now)) {
      const retryAt = new Date(Date.parse(project.createdAt) + p.leftoverAfterSeconds * 1000).toISOString();
      throw new InputError(
        `Another scaffold of "${name}" started at ${project.createdAt} and may still be running (${project.webUrl}); try again after ${retryAt} or choose another name.`,
      );
    }
    leftovers.push(project);
  }
  return leftovers;
}

/** Every check of idp:app:check-name; returns the owner's name and the leftovers. */
export async function checkName(
  input: { name: string; owner: string },
  p: PlatformSettings,
  deps: NameCheckDeps,
): Promise<{ ownerName: string; leftovers: ProjectInfo[] }> {
  const problem = nameProblem(input.name);
  if (problem) throw new InputError(problem);
  const owner = ownerName(input.owner);
  await refuseCatalogName(input.name, deps);
  const api = gitlabClient(deps.integrations, p.gitlab.host);
  const leftovers = await checkGitlabPaths(api, input.name, p);
  return { ownerName: owner, leftovers };
}
