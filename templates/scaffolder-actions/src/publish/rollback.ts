import { GitlabApi, describe } from '../gitlab/client';
import { deletePermanently, revokeTokens } from '../gitlab/projects';

/** What an attempt has created so far, in creation order. */
export type Created = {
  projects: Array<{ id: number; webUrl: string }>;
  /** The GitOps project whose access token this attempt may have created. */
  token?: { projectId: number; name: string };
};

export type RollbackResult = { undone: string[]; failed: string[] };

/**
 * Undoes an attempt: revokes the token, then deletes the projects for good,
 * newest first. Carries on past a failure so that as little as possible is
 * left, and reports what it could not undo.
 */
export async function rollback(api: GitlabApi, created: Created): Promise<RollbackResult> {
  const result: RollbackResult = { undone: [], failed: [] };
  if (created.token) {
    try {
      if ((await revokeTokens(api, created.token.projectId, created.token.name)) > 0) {
        result.undone.push(`revoked the GitOps project's access token`);
      }
    } catch (err) {
      result.failed.push(`the access token ${created.token.name} of project ${created.token.projectId} (${describe(err)})`);
    }
  }
  for (const project of [...created.projects].reverse()) {
    try {
      await deletePermanently(api, project.id);
      result.undone.push(`deleted ${project.webUrl}`);
    } catch (err) {
      result.failed.push(`${project.webUrl} (${describe(err)})`);
    }
  }
  return result;
}

/** The sentence that follows the original error: what was rolled back, what was not. */
export function rollbackSentence(r: RollbackResult, topic: string): string {
  const undone = r.undone.length ? `Rolled back: ${r.undone.join(', ')}.` : 'Nothing had been created yet.';
  if (r.failed.length === 0) return `${undone} Nothing of this attempt is left; the template can be run again.`;
  return (
    `${undone} Could not roll back ${r.failed.join(', ')}: delete it in GitLab, or run the template again, ` +
    `which removes projects still marked ${topic}.`
  );
}
