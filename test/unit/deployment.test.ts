// Docker cannot run here, so the deployment files are checked for what can be checked without it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { configSchema } from '../../src/config';
import { ALL_SEARCH_ATTRIBUTES } from '../../src/workflows/search-attributes';

/** How the image and compose start the product (then the role), checked by test/integration/shutdown.test.ts. */
const PRODUCT_COMMAND = ['node', '--import', 'tsx', 'src/main.ts'];

const root = join(__dirname, '..', '..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');
const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
}
const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, ComposeService> };

describe('docker-compose.yml', () => {
  test('runs a production-shaped Temporal (server, PostgreSQL, schema and namespace setup, UI) and our api + worker', () => {
    const images = Object.values(compose.services).map((s) => s.image ?? '(build)');
    assert.ok(images.some((i) => i.startsWith('temporalio/server:')));
    assert.ok(images.some((i) => i.startsWith('temporalio/admin-tools:')));
    assert.ok(images.some((i) => i.startsWith('temporalio/ui:')));
    assert.ok(images.some((i) => i.startsWith('postgres:')));
    assert.ok(!images.some((i) => i.includes('auto-setup')), 'the deprecated auto-setup image is not used');
    assert.ok(compose.services.api?.build !== undefined && compose.services.worker?.build !== undefined);
  });

  test('every environment variable given to api and worker exists in the config schema', () => {
    const known = new Set(Object.keys(configSchema.shape));
    for (const name of ['api', 'worker']) {
      for (const key of Object.keys(compose.services[name]?.environment ?? {})) assert.ok(known.has(key), `${name}: unknown variable ${key}`);
    }
  });

  test('the api and worker environments pass config validation (with placeholder secrets)', () => {
    for (const name of ['api', 'worker']) {
      const env = Object.fromEntries(
        Object.entries(compose.services[name]?.environment ?? {}).map(([k, v]) => [k, String(v).replace(/\$\{[^}]+\}/g, (m) => (m.includes('PAYPAL_ENV') ? 'sandbox' : m.includes('URL') ? 'https://merchant.example/hook' : 'placeholder-value'))]),
      );
      const result = configSchema.safeParse(env);
      assert.ok(result.success, `${name}: ${result.success ? '' : JSON.stringify(result.error.issues)}`);
    }
  });

  test('services run the product directly under node (so SIGTERM reaches it), in their role, after Temporal is set up', () => {
    for (const name of ['api', 'worker']) {
      assert.deepEqual(compose.services[name]?.command, [...PRODUCT_COMMAND, name]);
      assert.equal(compose.services[name]?.depends_on?.['temporal-setup']?.condition, 'service_completed_successfully');
    }
  });

  test('the setup scripts it mounts exist and register every search attribute the workflows use', () => {
    const setup = read('deploy/temporal/setup-namespace.sh');
    read('deploy/temporal/setup-schema.sh');
    for (const key of ALL_SEARCH_ATTRIBUTES) assert.match(setup, new RegExp(`\\b${key.name}=`), `${key.name} not registered`);
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  test('is Debian-based (the Temporal core bridge needs glibc), never Alpine', () => {
    const froms = [...dockerfile.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1] ?? '');
    assert.ok(froms.length > 0);
    for (const from of froms) assert.doesNotMatch(from, /alpine/);
    assert.ok(froms.every((f) => /bookworm|bullseye|trixie|slim/.test(f)));
  });

  test('both stages run one supported LTS line of Node (24: Node 20 reached end of life on 2026-04-30)', () => {
    const nodes = [...dockerfile.matchAll(/^FROM\s+node:(\d+)-/gm)].map((m) => Number(m[1]));
    assert.equal(nodes.length, 2);
    assert.deepEqual(nodes, [24, 24]);
  });

  test('prebuilds the workflow bundle and runs the product directly under node (so SIGTERM reaches it)', () => {
    assert.match(dockerfile, /npm run build/);
    assert.ok(pkg.scripts.build?.includes('bundle-workflows'));
    const cmd = /^CMD\s+(\[.*\])\s*$/m.exec(dockerfile);
    assert.deepEqual(JSON.parse(cmd?.[1] ?? '[]'), [...PRODUCT_COMMAND, 'api']);
    assert.ok(pkg.scripts['start:api']?.endsWith('src/main.ts api'), 'npm run start:api runs the same entry point');
  });
});
