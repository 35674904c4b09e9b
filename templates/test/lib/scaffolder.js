'use strict';

// Runs a template.yaml the way the Backstage scaffolder backend does, offline:
// the router's parameter validation, the internal NunjucksWorkflowRunner, the
// real fetch:template, catalog:fetch and catalog:register actions, and a stub
// publish:gitlab that records what it would push instead of calling GitLab.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const jsonschema = require('jsonschema');
const { ConfigReader } = require('@backstage/config');
const { ScmIntegrations } = require('@backstage/integration');
const { stringifyEntityRef } = require('@backstage/catalog-model');
const { resolveParameterSteps } = require('@backstage/plugin-scaffolder-common/alpha');
const { createTemplateAction, parseRepoUrl } = require('@backstage/plugin-scaffolder-node');
const {
  createFetchTemplateAction,
  createFetchCatalogEntityAction,
  createCatalogRegisterAction,
} = require('@backstage/plugin-scaffolder-backend');
const { NunjucksWorkflowRunner } = require('./deep-imports');
const { readYaml } = require('./yaml');

// Where the template repository is served from in these tests. Templates are
// registered in the catalog from GitLab, so relative URLs such as
// ../gitops-app/skeleton resolve the way they do in production (a file://
// location would refuse to leave the template's own folder).
const GITLAB_HOST = 'gitlab.example.com';
const TEMPLATES_URL = `https://${GITLAB_HOST}/platform/idp/-/blob/main/templates`;

// The same parameter check as the router's POST /v2/tasks (validateParameterSteps
// in plugin-scaffolder-backend's service/router), which is not exported.
function validateParameterSteps(template, values) {
  const parameters = [template.spec.parameters ?? []].flat();
  const resolved = resolveParameterSteps(
    values,
    parameters.map((schema) => ({ schema, when: schema.when })),
  );
  for (const [index, schema] of parameters.entries()) {
    if (!resolved.visible[index]) continue;
    const result = jsonschema.validate(values, schema);
    if (!result.valid) return { errors: result.errors.map(String), values: resolved.values };
  }
  return { errors: [], values: resolved.values };
}

// The form (react-jsonschema-form) sends every property that has a default,
// hidden ones included; a test that posts values must do the same.
function applyFormDefaults(template, values) {
  const filled = { ...values };
  for (const step of [template.spec.parameters ?? []].flat()) {
    for (const [key, prop] of Object.entries(step.properties ?? {})) {
      if (filled[key] === undefined && prop.default !== undefined) filled[key] = prop.default;
    }
  }
  return filled;
}

// A UrlReader that serves this checkout's templates/ folder at TEMPLATES_URL,
// as GitLab would serve the template repository.
function createTemplatesReader(templatesDir) {
  const prefix = new RegExp(`^https://${GITLAB_HOST}/platform/idp/-/(?:blob|tree)/main/templates/`);
  function localPath(url) {
    if (!prefix.test(url)) throw new Error(`test reader: no such repository URL ${url}`);
    const rel = decodeURIComponent(url.replace(prefix, '').split('?')[0]);
    const full = path.resolve(templatesDir, rel);
    if (!full.startsWith(templatesDir + path.sep)) throw new Error(`test reader: ${url} leaves templates/`);
    return full;
  }
  return {
    async readTree(url) {
      const src = localPath(url);
      if (!fs.statSync(src).isDirectory()) throw new Error(`test reader: ${url} is not a folder`);
      return {
        etag: 'test',
        async dir({ targetDir }) {
          fs.cpSync(src, targetDir, { recursive: true });
          return targetDir;
        },
      };
    },
  };
}

// A catalog holding the given entities; it records registered locations and
// answers dry-run registrations from the catalog-info.yaml that was published.
function createFakeCatalog({ entities, published }) {
  const byRef = new Map(entities.map((e) => [stringifyEntityRef(e), e]));
  const locations = [];
  return {
    locations,
    async getEntityByRef(ref) {
      return byRef.get(typeof ref === 'string' ? ref : stringifyEntityRef(ref));
    },
    async addLocation(location) {
      if (!location.dryRun) locations.push(location.target);
      const repo = published.find((p) => location.target.startsWith(`${p.remoteUrl}/`));
      if (!repo) throw new Error(`fake catalog: nothing published at ${location.target}`);
      const file = location.target.replace(/^.*\/-\/blob\/[^/]+\//, '');
      return { location, entities: [readYaml(path.join(repo.dir, file))] };
    },
  };
}

// publish:gitlab without GitLab: checks the repoUrl like the real action,
// copies what would be pushed, and answers with the real action's outputs.
function createStubPublishGitlab({ integrations, published, outDir }) {
  return createTemplateAction({
    id: 'publish:gitlab',
    description: 'Test stub of publish:gitlab: records the repository it would create',
    schema: {
      input: {
        repoUrl: (z) => z.string(),
        sourcePath: (z) => z.string().optional(),
        description: (z) => z.string().optional(),
        defaultBranch: (z) => z.string().optional(),
        repoVisibility: (z) => z.enum(['private', 'internal', 'public']).optional(),
        gitCommitMessage: (z) => z.string().optional(),
      },
    },
    async handler(ctx) {
      const { host, owner, repo } = parseRepoUrl(ctx.input.repoUrl, integrations);
      if (!integrations.gitlab.byHost(host)) throw new Error(`No GitLab integration for ${host}`);
      const dir = path.join(outDir, owner, repo);
      const src = path.resolve(ctx.workspacePath, ctx.input.sourcePath ?? '.');
      fs.cpSync(src, dir, { recursive: true });
      const remoteUrl = `https://${host}/${owner}/${repo}`;
      const branch = ctx.input.defaultBranch ?? 'master';
      published.push({ ...ctx.input, project: `${owner}/${repo}`, remoteUrl, dir });
      ctx.output('remoteUrl', remoteUrl);
      ctx.output('repoContentsUrl', `${remoteUrl}/-/blob/${branch}`);
      ctx.output('projectId', published.length);
      ctx.output('commitHash', '0'.repeat(40));
      ctx.output('created', true);
    },
  });
}

function silentLogger() {
  const lines = [];
  const logger = {
    lines,
    child: () => logger,
    debug: (m) => lines.push(`debug ${m}`),
    info: (m) => lines.push(`info ${m}`),
    warn: (m) => lines.push(`warn ${m}`),
    error: (m) => lines.push(`error ${m}`),
  };
  return logger;
}

const noMetrics = {
  createCounter: () => ({ add() {} }),
  createHistogram: () => ({ record() {} }),
  createUpDownCounter: () => ({ add() {} }),
  createGauge: () => ({ record() {} }),
};

// The task the router dispatches (POST /v2/tasks), handed straight to the runner.
function createTask({ template, templateName, values, workspaceName }) {
  const logs = [];
  const credentials = { $$type: '@backstage/BackstageCredentials', principal: { type: 'user', userEntityRef: 'user:default/tester' } };
  return {
    logs,
    spec: {
      apiVersion: template.apiVersion,
      steps: template.spec.steps.map((step, index) => ({
        ...step,
        id: step.id ?? `step-${index + 1}`,
        name: step.name ?? step.action,
      })),
      output: template.spec.output ?? {},
      parameters: values,
      user: { ref: 'user:default/tester' },
      templateInfo: {
        entityRef: `template:default/${template.metadata.name}`,
        baseUrl: `${TEMPLATES_URL}/${templateName}/template.yaml`,
        entity: { metadata: template.metadata },
      },
    },
    secrets: {},
    isDryRun: false,
    cancelSignal: new AbortController().signal,
    createdBy: 'user:default/tester',
    getWorkspaceName: async () => workspaceName,
    getInitiatorCredentials: async () => credentials,
    emitLog: async (message) => logs.push(message),
  };
}

// Runs one template with one set of form values. Returns what a user would
// see (validation errors, the task error or its output) and what was created.
async function runTemplate({ templatesDir, templateName, values, catalogEntities = [], outDir }) {
  const template = readYaml(path.join(templatesDir, templateName, 'template.yaml'));
  const formValues = applyFormDefaults(template, values);
  const validation = validateParameterSteps(template, formValues);
  const result = { published: [], registered: [], validationErrors: validation.errors };
  if (validation.errors.length) return result;

  const integrations = ScmIntegrations.fromConfig(
    new ConfigReader({ integrations: { gitlab: [{ host: GITLAB_HOST, apiBaseUrl: `https://${GITLAB_HOST}/api/v4`, token: 'test-token' }] } }),
  );
  const reader = createTemplatesReader(templatesDir);
  const catalog = createFakeCatalog({ entities: catalogEntities, published: result.published });
  const actions = [
    createFetchTemplateAction({ reader, integrations }),
    createFetchCatalogEntityAction({ catalog }),
    createCatalogRegisterAction({ catalog, integrations }),
    createStubPublishGitlab({ integrations, published: result.published, outDir }),
  ];
  const byId = new Map(actions.map((a) => [a.id, a]));
  const logger = silentLogger();
  const workingDirectory = fs.mkdtempSync(path.join(os.tmpdir(), 'scaffolder-'));
  const runner = new NunjucksWorkflowRunner({
    actionRegistry: {
      get: async (id) => {
        if (!byId.has(id)) throw new Error(`Template action with ID '${id}' is not registered.`);
        return byId.get(id);
      },
    },
    integrations,
    workingDirectory,
    logger,
    metrics: noMetrics,
  });
  const task = createTask({ template, templateName, values: validation.values, workspaceName: `task-${templateName}` });
  try {
    result.output = (await runner.execute(task)).output;
  } catch (err) {
    result.error = err;
  } finally {
    fs.rmSync(workingDirectory, { recursive: true, force: true });
  }
  result.registered = catalog.locations;
  result.logs = task.logs;
  return result;
}

module.exports = { runTemplate };
