import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { Gitlab } from '@gitbeaker/rest';

export const TOKEN = 'glpat-integration-test-token';

/** One process of the shared GitLab fake, with gitlab.com's rules and the apps and gitops groups. */
export type Fake = {
  baseUrl: string;
  host: string;
  api: InstanceType<typeof Gitlab>;
  config: ConfigReader;
  integrations: ScmIntegrations;
  control(method: string, path: string, body?: unknown): Promise<unknown>;
  /** GitLab's answer status for GET /api/v4/<path>. */
  status(apiPath: string): Promise<number>;
  stop(): Promise<void>;
};

export async function startFake(idp: { leftoverAfterSeconds?: number } = {}): Promise<Fake> {
  const bin = process.env.IDP_GITLABFAKE_BIN;
  if (!bin) throw new Error('IDP_GITLABFAKE_BIN is not set: run the tests through jest, whose global setup builds the fake');
  const gitRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'idp-gitlabfake-git-'));
  const args = ['-listen', '127.0.0.1:0', '-token', TOKEN, '-gitlab-com', '-group', 'apps', '-group', 'gitops', '-git-root', gitRoot];
  const proc: ChildProcess = spawn(bin, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const baseUrl = await new Promise<string>((resolve, reject) => {
    proc.once('error', reject);
    proc.once('exit', (code) => reject(new Error(`gitlabfake exited with ${code}`)));
    createInterface({ input: proc.stdout! }).once('line', (line) => resolve(line.trim()));
  });
  const host = new URL(baseUrl).host;
  const config = new ConfigReader({
    integrations: { gitlab: [{ host, baseUrl, apiBaseUrl: `${baseUrl}/api/v4`, token: TOKEN }] },
    idp: {
      gitlab: { host, appGroup: 'apps', gitopsGroup: 'gitops' },
      baseDomain: 'apps.example.com',
      ecrRegistry: '123456789012.dkr.ecr.us-east-2.amazonaws.com',
      argocdUrl: 'https://argocd.example.com',
      scaffold: { leftoverAfterSeconds: idp.leftoverAfterSeconds ?? 0 },
    },
    scaffolder: { defaultAuthor: { name: 'Backstage', email: 'backstage@example.com' } },
  });
  return {
    baseUrl,
    host,
    api: new Gitlab({ host: baseUrl, token: TOKEN }),
    config,
    integrations: ScmIntegrations.fromConfig(config),
    async control(method, p, body) {
      const res = await fetch(`${baseUrl}/-/fake${p}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (!res.ok) throw new Error(`${method} /-/fake${p}: ${res.status} ${await res.text()}`);
      const text = await res.text();
      return text ? JSON.parse(text) : undefined;
    },
    async status(apiPath) {
      const res = await fetch(`${baseUrl}/api/v4/${apiPath}`, { headers: { 'PRIVATE-TOKEN': TOKEN } });
      await res.arrayBuffer();
      return res.status;
    },
    async stop() {
      const exited = new Promise((resolve) => proc.once('exit', resolve));
      proc.kill('SIGTERM');
      await exited;
      fs.rmSync(gitRoot, { recursive: true, force: true });
    },
  };
}

/** A workspace holding a rendered app repository and GitOps repository. */
export function makeWorkspace(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'idp-workspace-'));
  fs.mkdirSync(path.join(dir, 'app'));
  fs.mkdirSync(path.join(dir, 'gitops'));
  fs.writeFileSync(path.join(dir, 'app/README.md'), `# ${name}\n`);
  fs.writeFileSync(path.join(dir, 'app/catalog-info.yaml'), `apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ${name}\n`);
  fs.writeFileSync(path.join(dir, 'gitops/app.yaml'), `apiVersion: idp.vibe-coder.biz/v1alpha1\nkind: App\nmetadata:\n  name: ${name}\n`);
  return dir;
}

/** The outputs an action gave createMockActionContext's output mock. */
export function collect(output: unknown): Record<string, unknown> {
  const calls = (output as jest.Mock).mock.calls as Array<[string, unknown]>;
  return Object.fromEntries(calls);
}
