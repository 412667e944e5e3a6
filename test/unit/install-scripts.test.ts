// Every dependency with an install script has been read and allowed or denied by name (docs/decisions.md): npm 11.19
// skips the unreviewed ones with only a warning, so a new one would otherwise change an install without a failure.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const root = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { allowScripts?: Record<string, boolean> };
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { hasInstallScript?: boolean }> };

/** A lockfile key's package name: what follows its last `node_modules/` (scoped names keep their scope). */
const nameOf = (key: string): string => key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
/** Every locked dependency (not the project itself, key '') that has an install script, by name. */
const withScripts = new Set(Object.entries(lock.packages).filter(([key, p]) => key !== '' && p.hasInstallScript).map(([key]) => nameOf(key)));

/** An allowScripts key's package name: `name`, `name@version` or `@scope/name@range`. */
const ruleName = (key: string): string => {
  const at = key.indexOf('@', 1);
  return at === -1 ? key : key.slice(0, at);
};

test('every locked dependency with an install script is allowed or denied by name in package.json allowScripts', () => {
  const reviewed = new Set(Object.keys(pkg.allowScripts ?? {}).map(ruleName));
  assert.ok(withScripts.size > 0, 'the lockfile records install scripts (hasInstallScript); if none are left, drop allowScripts and this test');
  const unreviewed = [...withScripts].filter((name) => !reviewed.has(name));
  assert.deepEqual(unreviewed, [], `read their install scripts, then record each with \`npm install-scripts approve|deny <name>\``);
});

test('no allowScripts entry names a package the lockfile does not hold with an install script', () => {
  const stale = Object.keys(pkg.allowScripts ?? {}).map(ruleName).filter((name) => !withScripts.has(name));
  assert.deepEqual(stale, [], 'remove stale entries with `npm install-scripts prune`');
});
