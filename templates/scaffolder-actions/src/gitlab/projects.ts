import { GitlabApi, describe, statusOf } from './client';

/**
 * Set on both projects when a scaffold creates them and removed as its last
 * step: a project that still carries it was left by a scaffold that did not
 * finish (Backstage restarted mid-way, or rollback itself failed).
 */
export const IN_PROGRESS_TOPIC = 'idp-scaffold-in-progress';

export type ProjectInfo = {
  id: number;
  pathWithNamespace: string;
  webUrl: string;
  topics: string[];
  createdAt: string;
};

export function isInProgress(project: ProjectInfo): boolean {
  return project.topics.includes(IN_PROGRESS_TOPIC);
}

/** Whether an in-progress project is old enough to be another scaffold's leftover. */
export function isLeftover(project: ProjectInfo, afterSeconds: number, now = Date.now()): boolean {
  return isInProgress(project) && now - Date.parse(project.createdAt) >= afterSeconds * 1000;
}

function toInfo(p: Record<string, unknown>): ProjectInfo {
  return {
    id: Number(p.id),
    pathWithNamespace: String(p.path_with_namespace),
    webUrl: String(p.web_url),
    topics: Array.isArray(p.topics) ? p.topics.map(String) : [],
    createdAt: String(p.created_at ?? ''),
  };
}

/** The project at fullPath (or with that id), or undefined when GitLab answers 404. */
export async function findProject(api: GitlabApi, idOrPath: string | number): Promise<ProjectInfo | undefined> {
  try {
    return toInfo((await api.Projects.show(idOrPath)) as unknown as Record<string, unknown>);
  } catch (err) {
    if (statusOf(err) === 404) return undefined;
    throw new Error(`Could not look up the GitLab project ${idOrPath}: ${describe(err)}`, { cause: err });
  }
}

/** Removes the in-progress marker, the scaffold's last step. */
export async function clearInProgress(api: GitlabApi, project: ProjectInfo): Promise<void> {
  const topics = project.topics.filter((t) => t !== IN_PROGRESS_TOPIC);
  await api.Projects.edit(project.id, { topics });
}

/**
 * Deletes a project for good. GitLab 18 only marks a project for deletion
 * (and renames it, to free the path) on the first DELETE; a second one with
 * permanently_remove and the project's current full path removes it now.
 */
export async function deletePermanently(api: GitlabApi, id: number): Promise<void> {
  try {
    await api.Projects.remove(id);
  } catch (err) {
    const status = statusOf(err);
    if (status === 404) return;
    // 400 "already marked for deletion" is fine: go on to remove it for good.
    if (status !== 400) throw err;
  }
  const marked = await findProject(api, id);
  if (!marked) return; // deleted at once: no delayed deletion on this instance
  try {
    await api.Projects.remove(id, { permanentlyRemove: true, fullPath: marked.pathWithNamespace });
  } catch (err) {
    if (statusOf(err) !== 404) throw err;
  }
}

/**
 * Protects branch (Maintainers push and merge). GitLab protects a new
 * project's default branch on its first push already, when the group's
 * default branch protection says so; its 409 means the branch is protected.
 */
export async function ensureProtected(api: GitlabApi, projectId: number, branch: string): Promise<void> {
  try {
    await api.ProtectedBranches.protect(projectId, branch, { pushAccessLevel: 40, mergeAccessLevel: 40 });
  } catch (err) {
    if (statusOf(err) !== 409) throw err;
  }
}

/** Revokes every active project access token of the project that has this name. */
export async function revokeTokens(api: GitlabApi, projectId: number, name: string): Promise<number> {
  const tokens = (await api.ProjectAccessTokens.all(projectId)) as unknown as Array<Record<string, unknown>>;
  let revoked = 0;
  for (const t of tokens) {
    if (t.name !== name || t.revoked === true || t.active === false) continue;
    await api.ProjectAccessTokens.revoke(projectId, Number(t.id));
    revoked++;
  }
  return revoked;
}
