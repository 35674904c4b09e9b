#!/usr/bin/env node
'use strict';

// Renders every template under templates/ with Backstage's scaffolder, once per
// fixture case (fixtures/<template>.yaml), and checks what it produced.
// Prints one "PASS ..." or "FAIL ...: why" line per check; writes the rendered
// repositories under --out and a manifest.json naming the apps that
// hack/test-templates.sh goes on to install, test and run.
//
// Usage: node render-templates.js --templates DIR --out DIR

const fs = require('node:fs');
const path = require('node:path');
const { isDeepStrictEqual, parseArgs } = require('node:util');
const YAML = require('yaml');
const { runTemplate } = require('./lib/scaffolder');
const { validateEntity } = require('./lib/entities');
const { readYaml } = require('./lib/yaml');

const { values: args } = parseArgs({
  options: { templates: { type: 'string' }, out: { type: 'string' }, gitlabfake: { type: 'string' } },
});
const templatesDir = path.resolve(args.templates);
const outDir = path.resolve(args.out);

let failed = 0;
async function check(name, fn) {
  try {
    await fn();
    console.log(`PASS ${name}`);
  } catch (err) {
    failed += 1;
    console.log(`FAIL ${name}: ${err.message.split('\n').join('\n     ')}`);
  }
}

function assert(cond, message) {
  if (!cond) throw new Error(message);
}

function assertEqual(actual, expected, what) {
  assert(isDeepStrictEqual(actual, expected), `${what}\n  got:  ${JSON.stringify(actual)}\n  want: ${JSON.stringify(expected)}`);
}

function listFiles(dir) {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.join(d.parentPath, d.name));
}

// Nunjucks renders an undefined value as an empty string and leaves text it
// could not parse as a tag in place: any of these markers left in an output
// means the template is broken.
const LEFTOVERS = ['${{', '{%', '%}'];

function findLeftovers(text) {
  return LEFTOVERS.filter((marker) => text.includes(marker));
}

// The checks of one successful rendering, against the fixture's expectations.
async function checkRendering(label, result, expect) {
  const byProject = new Map(result.published.map((p) => [p.project, p]));

  await check(`${label}: the task succeeded`, () => {
    assert(!result.error, `task failed: ${result.error?.message}\n${(result.logs ?? []).slice(-5).join('\n')}`);
  });
  if (result.error) return;

  await check(`${label}: published ${expect.published.join(', ')}`, () => {
    assertEqual([...byProject.keys()], expect.published, 'published projects');
  });
  await check(`${label}: registered catalog-info.yaml`, () => {
    assertEqual(result.registered, expect.registered, 'registered locations');
  });
  for (const [project, want] of Object.entries(expect.settings ?? {})) {
    await check(`${label}: ${project} has its settings (visibility, protected branch, variables, tokens)`, () => {
      const got = byProject.get(project)?.settings;
      assert(got, `${project} was not published`);
      for (const [key, value] of Object.entries(want)) assertEqual(got[key], value, key);
    });
  }
  await check(`${label}: output links`, () => {
    const links = Object.fromEntries(result.output.links.map((l) => [l.title, l.url ?? l.entityRef]));
    assertEqual(links, expect.links, 'links');
  });
  await check(`${label}: no template markers left in any file or output`, () => {
    const problems = [];
    for (const repo of result.published) {
      for (const file of listFiles(repo.dir)) {
        const found = findLeftovers(fs.readFileSync(file, 'utf8'));
        if (found.length) problems.push(`${path.relative(outDir, file)}: ${found.join(' ')}`);
      }
    }
    const found = findLeftovers(JSON.stringify(result.output));
    if (found.length) problems.push(`task output: ${found.join(' ')}`);
    assert(problems.length === 0, problems.join('\n'));
  });
  await check(`${label}: every YAML and JSON file parses`, () => {
    for (const repo of result.published) {
      for (const file of listFiles(repo.dir)) {
        const text = fs.readFileSync(file, 'utf8');
        try {
          if (/\.ya?ml$/.test(file)) YAML.parseAllDocuments(text).forEach((d) => { if (d.errors.length) throw d.errors[0]; });
          if (file.endsWith('.json')) JSON.parse(text);
        } catch (err) {
          throw new Error(`${path.relative(outDir, file)}: ${err.message}`);
        }
      }
    }
  });

  const appRepo = result.published[0];
  await check(`${label}: catalog-info.yaml is a valid Component`, async () => {
    const entity = readYaml(path.join(appRepo.dir, 'catalog-info.yaml'));
    await validateEntity(entity);
    if (expect.catalogInfo) {
      assertEqual(entity.metadata.name, expect.catalogInfo.name, 'metadata.name');
      assertEqual(entity.spec.owner, expect.catalogInfo.owner, 'spec.owner');
      for (const [key, value] of Object.entries(expect.catalogInfo.annotations)) {
        assertEqual(entity.metadata.annotations[key], value, `annotation ${key}`);
      }
    }
  });

  if (expect.appYaml) {
    await check(`${label}: app.yaml is the platform's contract`, () => {
      const file = path.join(byProject.get(expect.published[1]).dir, 'app.yaml');
      const text = fs.readFileSync(file, 'utf8');
      const schemaLine = '# yaml-language-server: $schema=https://raw.githubusercontent.com/vibe-coder-biz/idp/main/appspec/app.schema.json';
      assertEqual(text.split('\n')[0], schemaLine, 'first line');
      assertEqual(YAML.parse(text), expect.appYaml, 'app.yaml');
    });
  }

  for (const [file, needles] of Object.entries(expect.files ?? {})) {
    await check(`${label}: ${file} has the expected values`, () => {
      const text = fs.readFileSync(path.join(outDir, label, file), 'utf8');
      const missing = needles.filter((n) => !text.includes(n));
      assert(missing.length === 0, `missing: ${missing.join(' | ')}`);
    });
  }
}

// The checks of a case the template must refuse.
async function checkRefusal(label, result, expect) {
  if (expect.invalid) {
    await check(`${label}: the form's schema check rejects ${expect.invalid}`, () => {
      assert(result.validationErrors.length > 0, 'the values were accepted');
      const text = result.validationErrors.join('; ');
      assert(text.includes(`instance.${expect.invalid}`) || text.includes(`"${expect.invalid}"`), `rejected for another reason: ${text}`);
    });
  } else {
    await check(`${label}: the task fails with "${expect.error}"`, () => {
      assert(result.error, 'the task succeeded');
      assert(result.error.message.includes(expect.error), `failed otherwise: ${result.error.message}`);
    });
  }
  await check(`${label}: nothing was published or registered`, () => {
    assertEqual(result.published.map((p) => p.project), [], 'published projects');
    assertEqual(result.registered, [], 'registered locations');
  });
}

// The GitLab calls of a task that change something, each as the faults that
// let the calls before it through and fail it. A push is one POST to
// git-receive-pack, one per published project (its GETs of the refs are
// counted under the same name). Backstage's git push retries a 5xx for a
// minute (5 retries from 2 s, doubling), so a push fails here with a refusal
// (403, as a push rule would), which the same rollback handles at once.
function failurePoints(requests, pushes) {
  const points = [];
  for (const [endpoint, count] of Object.entries(requests)) {
    const git = endpoint === 'git git-receive-pack';
    if (!git && !/^(POST|PUT|DELETE) /.test(endpoint)) continue;
    const method = git ? 'POST' : endpoint.split(' ')[0];
    for (let k = 1; k <= (git ? pushes : count); k++) {
      const fail = { method, endpoint, status: git ? 403 : 500, times: 1 };
      points.push({ label: `${git ? 'git push' : endpoint} #${k}`, status: fail.status, faults: k > 1 ? [{ method, endpoint, status: 0, times: k - 1 }, fail] : [fail] });
    }
  }
  return points;
}

// A failure at any GitLab call of the publish leaves nothing in GitLab or
// the catalog, and says what happened.
async function checkFailures(label, run, requests, pushes) {
  for (const point of failurePoints(requests, pushes)) {
    const result = await run(point.faults);
    await check(`${label}: GitLab failing at ${point.label} leaves nothing behind`, () => {
      assert(result.error, 'the task succeeded');
      assertEqual(result.leftBehind, [], 'projects in the app and GitOps groups');
      assertEqual(result.registered, [], 'registered locations');
      assert(result.error.message.includes(String(point.status)), `the error does not say what GitLab answered: ${result.error.message}`);
    });
  }
}

async function checkTemplate(templateName, manifest) {
  const fixture = readYaml(path.join(__dirname, 'fixtures', `${templateName}.yaml`));
  await check(`${templateName}: template.yaml is a valid Template (catalog policies + scaffolder v1beta3 schema)`, async () => {
    await validateEntity(readYaml(path.join(templatesDir, templateName, 'template.yaml')));
  });
  for (const c of fixture.cases) {
    const label = `${templateName}/${c.name}`;
    const caseOut = path.join(outDir, label);
    fs.rmSync(caseOut, { recursive: true, force: true });
    const run = (faults = [], out = caseOut) => runTemplate({
      templatesDir,
      templateName,
      values: c.values,
      catalogEntities: c.catalog ?? [],
      gitlabProjects: c.gitlab ?? [],
      faults,
      dryRun: Boolean(c.dryRun),
      outDir: out,
      gitlabBin: path.resolve(args.gitlabfake),
    });
    const result = await run();
    // Fixtures name the GitLab host {gitlab}: each case has its own.
    c.expect = JSON.parse(JSON.stringify(c.expect).replaceAll('{gitlab}', result.gitlabHost ?? 'gitlab'));
    if (c.expect.dryRun) {
      await check(`${label}: the dry run succeeded`, () => assert(!result.error, `task failed: ${result.error?.message}`));
      await check(`${label}: the dry run created nothing in GitLab or the catalog`, () => {
        assertEqual(result.published.map((p) => p.project), [], 'published projects');
        assertEqual(result.registered, [], 'registered locations');
      });
    } else if (c.expect.invalid || c.expect.error) {
      await checkRefusal(label, result, c.expect);
    } else {
      await checkRendering(label, result, c.expect);
      if (c.app && !result.error) {
        const scratch = `${caseOut}-failing`;
        await checkFailures(label, (faults) => run(faults, scratch).finally(() => fs.rmSync(scratch, { recursive: true, force: true })), result.requests, result.published.length);
        const [app, gitops] = result.published.map((p) => p.dir);
        manifest.push({ template: templateName, case: c.name, checks: fixture.appChecks, app, gitops });
      }
    }
  }
}

async function main() {
  const templates = fs.readdirSync(templatesDir)
    .filter((d) => fs.existsSync(path.join(templatesDir, d, 'template.yaml')))
    .sort();
  const manifest = [];
  for (const name of templates) {
    await check(`${name}: has fixtures/${name}.yaml`, () => {
      assert(fs.existsSync(path.join(__dirname, 'fixtures', `${name}.yaml`)), 'every template needs test cases');
    });
    if (fs.existsSync(path.join(__dirname, 'fixtures', `${name}.yaml`))) await checkTemplate(name, manifest);
  }
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  process.exitCode = failed ? 1 : 0;
}

main().catch((err) => {
  console.log(`FAIL render-templates crashed: ${err.stack}`);
  process.exitCode = 1;
});
