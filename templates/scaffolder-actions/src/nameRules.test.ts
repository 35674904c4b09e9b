import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { nameProblem, ownerProblem } from './nameRules';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const generator = require('../scripts/name-rules.js') as { render(root?: string): string; generatedFile: string };

const repoRoot = path.resolve(__dirname, '../../..');

describe('nameProblem', () => {
  it.each([
    ['hello-world', undefined],
    ['ab', undefined],
    ['a'.repeat(40), undefined],
    ['a', 'has 1 characters; choose one of 2 to 40 characters'],
    ['a'.repeat(41), 'has 41 characters; choose one of 2 to 40 characters'],
    ['Hello', "must use only lower-case letters, digits and '-'"],
    ['1app', 'start with a letter'],
    ['app-', 'end with a letter or digit'],
    ['my_app', "must use only lower-case letters, digits and '-'"],
    ['backstage', 'is reserved for the platform; choose another name'],
    ['apps', 'is reserved for the platform'],
    ['kube-thing', 'Names starting with "kube-" are reserved for the platform; choose a name without that prefix'],
    ['idp-portal', 'Names starting with "idp-"'],
    ['argocd-x', 'Names starting with "argocd-"'],
  ])('%s → %s', (name, want) => {
    expect(nameProblem(name) ?? 'allowed').toContain(want ?? 'allowed');
  });

  it('says each refusal in one sentence that names what to do', () => {
    for (const name of ['a', 'Hello', 'default', 'eks-a']) {
      const got = nameProblem(name)!;
      expect(got).toMatch(/; choose .*\.$/);
      expect(got.split('. ')).toHaveLength(1);
    }
  });
});

describe('ownerProblem', () => {
  it.each([
    // A Backstage group's name, as GitLab group paths make them (appspec's
    // spec.owner: a label value).
    ['team-a', true],
    ['platform', true],
    ['Team_A', true],
    ['team.a', true],
    ['-team', false],
    ['team_', false],
    ['team a', false],
    ['a'.repeat(63), true],
    ['a'.repeat(64), false],
  ])('%s allowed: %s', (owner, ok) => {
    expect(ownerProblem(owner) === undefined).toBe(ok);
  });
});

describe('the name rules come from appspec', () => {
  it('src/nameRules.generated.ts is what scripts/name-rules.js makes of appspec today', () => {
    expect(fs.readFileSync(generator.generatedFile, 'utf8')).toBe(generator.render(repoRoot));
  });

  it('a reserved name added to validate.go changes the rules (so the test above catches drift)', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'name-rules-'));
    fs.mkdirSync(path.join(root, 'appspec'));
    fs.copyFileSync(path.join(repoRoot, 'appspec/app.schema.json'), path.join(root, 'appspec/app.schema.json'));
    const go = fs.readFileSync(path.join(repoRoot, 'appspec/validate.go'), 'utf8');
    fs.writeFileSync(path.join(root, 'appspec/validate.go'), go.replace('"default",', '"default", "zzz-new",'));
    try {
      const drifted = generator.render(root);
      expect(drifted).not.toBe(generator.render(repoRoot));
      expect(drifted).toContain('"zzz-new"');
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('the schema pattern and reserved lists are those app.yaml is checked against', () => {
    const schema = JSON.parse(fs.readFileSync(path.join(repoRoot, 'appspec/app.schema.json'), 'utf8'));
    const name = schema.properties.metadata.properties.name;
    expect(generator.render(repoRoot)).toContain(JSON.stringify(name.pattern));
    expect(nameProblem('x'.repeat(name.maxLength))).toBeUndefined();
    expect(nameProblem('x'.repeat(name.maxLength + 1))).toBeDefined();
  });
});
