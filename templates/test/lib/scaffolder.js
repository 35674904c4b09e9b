'use strict';

// Runs a template.yaml the way the Backstage scaffolder backend does, offline:
// the router's parameter validation, the internal NunjucksWorkflowRunner, and
// the real actions (fetch:template, catalog:*, publish:gitlab and the gitlab:*
// actions of Backstage's GitLab module, and the platform's own module) against
// the project's GitLab stand-in. Only the catalog is a stand-in here.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const jsonschema = require('jsonschema');
const { ConfigReader } = require('@backstage/config');
const { ScmIntegrations } = require('@backstage/integration');
const { stringifyEntityRef } = require('@backstage/catalog-model');
const { resolveParameterSteps } = require('@backstage/plugin-scaffolder-common/alpha');
const {
  createFetchTemplateAction,
  createFetchCatalogEntityAction,
  createCatalogRegisterAction,
} = require('@backstage/plugin-scaffolder-backend');
const gitlabModule = require('@backstage/plugin-scaffolder-backend-module-gitlab');
const { NunjucksWorkflowRunner } = require('./deep-imports');
const { readYaml } = require('./yaml');
const { startGitlab, listProjects, cloneProject } = require('./gitlab');
const YAML = require('yaml');

// Where the template repository is served from in these tests: where the
// production catalog registers it (manifests/backstage/app-config.production.yaml),
// so relative URLs such as ../gitops-app/skeleton resolve the way they do in
// production (a file:// location would refuse to leave the template's folder).
const TEMPLATES_URL = 'https://github.com/vibe-coder-biz/idp/blob/main/templates';

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
  const prefix = /^https:\/\/github\.com\/vibe-coder-biz\/idp\/(?:blob|tree)\/main\/templates\//;
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
// reads the catalog-info.yaml they name from GitLab, as the catalog would.
function createFakeCatalog({ entities, gitlab }) {
  const byRef = new Map(entities.map((e) => [stringifyEntityRef(e), e]));
  const locations = [];
  return {
    locations,
    async getEntityByRef(ref) {
      return byRef.get(typeof ref === 'string' ? ref : stringifyEntityRef(ref));
    },
    async getEntities({ filter } = {}) {
      const filters = [filter ?? []].flat();
      const matches = (e) => filters.length === 0 || filters.some((f) => Object.entries(f).every(([k, v]) => {
        const actual = k.split('.').reduce((o, key) => o?.[key], e);
        return [v].flat().map(String).map((x) => x.toLowerCase()).includes(String(actual).toLowerCase());
      }));
      return { items: [...byRef.values()].filter(matches) };
    },
    async addLocation(location) {
      const m = location.target.match(/^https?:\/\/[^/]+\/(.+?)\/-\/blob\/([^/]+)\/(.+)$/);
      if (!m) throw new Error(`fake catalog: not a GitLab file URL: ${location.target}`);
      const [, project, ref, file] = m;
      const text = await gitlab.rawFile(project, file, ref);
      if (!location.dryRun) locations.push(location.target);
      return { location, entities: [YAML.parse(text)] };
    },
  };
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

// The scaffolder asks the auth service for a token on the user's behalf to
// call the catalog; the stand-in catalog needs none.
const noAuth = {
  getPluginRequestToken: async () => ({ token: 'test' }),
  getOwnServiceCredentials: async () => ({ $$type: '@backstage/BackstageCredentials', principal: { type: 'service', subject: 'test' } }),
};

const noMetrics = {
  createCounter: () => ({ add() {} }),
  createHistogram: () => ({ record() {} }),
  createUpDownCounter: () => ({ add() {} }),
  createGauge: () => ({ record() {} }),
};

// The task the router dispatches (POST /v2/tasks), handed straight to the runner.
function createTask({ template, templateName, values, workspaceName, dryRun }) {
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
    isDryRun: dryRun,
    cancelSignal: new AbortController().signal,
    createdBy: 'user:default/tester',
    getWorkspaceName: async () => workspaceName,
    getInitiatorCredentials: async () => credentials,
    emitLog: async (message) => logs.push(message),
  };
}

// The platform's Backstage configuration for a GitLab at HOST: the GitLab
// integration and the settings the platform's actions read (idp.*).
function platformConfig(gitlab) {
  return new ConfigReader({
    integrations: {
      gitlab: [{ host: gitlab.host, apiBaseUrl: `${gitlab.baseUrl}/api/v4`, baseUrl: gitlab.baseUrl, token: gitlab.token }],
      github: [{ host: 'github.com' }],
    },
    idp: {
      gitlab: { host: gitlab.host, appGroup: APP_GROUP, gitopsGroup: GITOPS_GROUP },
      // A leftover of an interrupted scaffold is replaced at once here.
      scaffold: { leftoverAfterSeconds: 0 },
      baseDomain: 'apps.example.com',
      ecrRegistry: '123456789012.dkr.ecr.us-east-2.amazonaws.com',
      argocdUrl: 'https://argocd.example.com',
    },
  });
}

const APP_GROUP = 'apps';
const GITOPS_GROUP = 'gitops';

// Every action a task of these templates may call, as the scaffolder backend
// registers them: its built-ins, Backstage's GitLab module, the platform's module.
function createActions({ reader, integrations, config, catalog, auth }) {
  return [
    createFetchTemplateAction({ reader, integrations }),
    createFetchCatalogEntityAction({ catalog, auth }),
    createCatalogRegisterAction({ catalog, integrations, auth }),
    gitlabModule.createPublishGitlabAction({ integrations, config }),
    gitlabModule.createGitlabProjectAccessTokenAction({ integrations }),
    gitlabModule.createGitlabProjectVariableAction({ integrations }),
    gitlabModule.createGitlabRepoPushAction({ integrations }),
    ...require('./platform-actions').createPlatformActions({ integrations, config, catalog, auth }),
  ];
}

// Runs one template with one set of form values against a fresh GitLab.
// Returns what a user would see (validation errors, the task error or its
// output) and what exists in GitLab afterwards, cloned under OUTDIR.
async function runTemplate({ templatesDir, templateName, values, catalogEntities = [], gitlabProjects = [], faults = [], outDir, gitlabBin, dryRun = false }) {
  const template = readYaml(path.join(templatesDir, templateName, 'template.yaml'));
  const formValues = applyFormDefaults(template, values);
  const validation = validateParameterSteps(template, formValues);
  const result = { published: [], registered: [], validationErrors: validation.errors };
  if (validation.errors.length) return result;

  const gitlab = await startGitlab({ bin: gitlabBin, groups: [APP_GROUP, GITOPS_GROUP] });
  const workingDirectory = fs.mkdtempSync(path.join(os.tmpdir(), 'scaffolder-'));
  try {
    for (const p of gitlabProjects) await gitlab.createProject(p);
    const before = await listProjects(gitlab, [APP_GROUP, GITOPS_GROUP]);
    await gitlab.injectFaults(faults);
    await gitlab.resetRequests();
    const config = platformConfig(gitlab);
    const integrations = ScmIntegrations.fromConfig(config);
    const catalog = createFakeCatalog({ entities: catalogEntities, gitlab });
    const actions = createActions({ reader: createTemplatesReader(templatesDir), integrations, config, catalog, auth: noAuth });
    const byId = new Map(actions.map((a) => [a.id, a]));
    const logger = silentLogger();
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
    const task = createTask({ template, templateName, values: validation.values, workspaceName: `task-${templateName}`, dryRun });
    try {
      result.output = (await runner.execute(task)).output;
    } catch (err) {
      result.error = err;
    }
    result.requests = await gitlab.requests();
    await gitlab.clearFaults();
    result.logs = task.logs;
    result.registered = catalog.locations;
    result.gitlabHost = gitlab.host;
    // What this task created (a leftover it replaced has a new id).
    const existed = new Set(before.map((p) => p.id));
    for (const { id, path: project } of await listProjects(gitlab, [APP_GROUP, GITOPS_GROUP])) {
      if (existed.has(id)) continue;
      const dir = cloneProject(gitlab, project, path.join(outDir, project));
      result.published.push({ project, dir, settings: await gitlab.projectSettings(project) });
    }
    result.leftBehind = (await listProjects(gitlab, [APP_GROUP, GITOPS_GROUP])).map((p) => p.path);
  } finally {
    fs.rmSync(workingDirectory, { recursive: true, force: true });
    await gitlab.stop();
  }
  return result;
}

module.exports = { runTemplate };
