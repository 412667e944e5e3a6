// `tsx bench/profile-summary.ts <file.cpuprofile> [top]`: the functions with the most self time in a V8 CPU profile
// (from `node --cpu-prof`), and self time per package, so a profile can be read without DevTools.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

/** Self time (ms) per function and per package of one `.cpuprofile`. */
export function summarise(path: string): { totalMs: number; functions: [string, number][]; packages: [string, number][] } {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const fn = new Map<string, number>();
  const pkg = new Map<string, number>();
  let totalMs = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    totalMs += ms;
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const where = url.replace(/^file:\/\//, '').replace(/^.*\/work\/main\//, '');
    const key = `${functionName || '(anonymous)'} ${where ? `${where}:${lineNumber + 1}` : ''}`.trim();
    fn.set(key, (fn.get(key) ?? 0) + ms);
    const p = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(where)?.[1] ?? (where.startsWith('node:') ? 'node core' : where === '' ? functionName || '(native)' : where.split('/').slice(0, 2).join('/'));
    pkg.set(p, (pkg.get(p) ?? 0) + ms);
  });
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  return { totalMs, functions: sorted(fn), packages: sorted(pkg) };
}

if (require.main === module) {
  const [file, top = '25'] = process.argv.slice(2);
  if (!file) throw new Error('usage: tsx bench/profile-summary.ts <file.cpuprofile> [top]');
  const { totalMs, functions, packages } = summarise(file);
  const pct = (ms: number) => `${((100 * ms) / totalMs).toFixed(1)}%`.padStart(6);
  console.log(`total ${totalMs.toFixed(0)} ms sampled\n\nself time by function:`);
  for (const [k, ms] of functions.slice(0, Number(top))) console.log(`${pct(ms)} ${ms.toFixed(0).padStart(6)} ms  ${k}`);
  console.log('\nself time by package / file:');
  for (const [k, ms] of packages.slice(0, Number(top))) console.log(`${pct(ms)} ${ms.toFixed(0).padStart(6)} ms  ${k}`);
}
