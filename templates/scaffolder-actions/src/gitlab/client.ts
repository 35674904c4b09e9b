import { ScmIntegrationRegistry } from '@backstage/integration';
import { Gitlab } from '@gitbeaker/rest';

export type GitlabApi = InstanceType<typeof Gitlab>;

/** The GitLab integration for host: its web base URL and token. */
export function gitlabIntegration(integrations: ScmIntegrationRegistry, host: string) {
  const integration = integrations.gitlab.byHost(host);
  if (!integration) {
    throw new Error(`Backstage has no GitLab integration for ${host}; add it under integrations.gitlab in app-config.yaml.`);
  }
  const { baseUrl, token } = integration.config;
  if (!token) {
    throw new Error(`The GitLab integration for ${host} has no token; set integrations.gitlab[].token in app-config.yaml.`);
  }
  return { baseUrl, token };
}

/** A client authenticated with the integration's token, as Backstage's GitLab actions use. */
export function gitlabClient(integrations: ScmIntegrationRegistry, host: string): GitlabApi {
  const { baseUrl, token } = gitlabIntegration(integrations, host);
  return new Gitlab({ host: baseUrl, token });
}

/** The HTTP status of a failed gitbeaker request, if it got an answer. */
export function statusOf(err: unknown): number | undefined {
  const cause = (err as { cause?: { response?: { status?: unknown } } } | undefined)?.cause;
  const status = cause?.response?.status;
  return typeof status === 'number' ? status : undefined;
}

/** GitLab's own explanation of a failed request, for error messages. */
export function describe(err: unknown): string {
  const cause = (err as { cause?: { description?: unknown } } | undefined)?.cause;
  const detail = typeof cause?.description === 'string' ? cause.description : '';
  const message = err instanceof Error ? err.message : String(err);
  return detail && detail !== message ? `${message} (${detail})` : message;
}
