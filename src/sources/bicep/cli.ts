/**
 * Running the Bicep CLI that is on PATH: `bicep build <file> --stdout`, or `az bicep build --file
 * <file> --stdout` when only the Azure CLI is there (GitHub's hosted runners have both). Never through
 * a shell: the file name (which a pull request chooses) is one argument of an argument array, always
 * absolute, so it can never read as an option. The child gets a short list of environment variables
 * (PATH, HOME, temporary folders, .NET's and the Azure CLI's own), never the action's inputs or tokens:
 * a `.bicepparam` file can read any environment variable it is given into a parameter value.
 * https://learn.microsoft.com/azure/azure-resource-manager/bicep/bicep-cli
 */
import { nodeChildProcess } from '../../model/builtins.js';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError, UserErrors } from '../../model/errors.js';
import { LIMIT_VARIABLES } from '../../model/limits.js';
import { describeBytes, maxInputBytes } from '../../model/textFile.js';

export interface BicepCli {
  /** The executable, as found on PATH. */
  executable: string;
  /** `bicep` or `az bicep`, for messages. */
  label: string;
  build(file: string): string[];
  buildParams(file: string): string[];
}

/** How to install one, said wherever a Bicep file cannot be compiled for want of it. */
export const INSTALL_BICEP =
  'install the Bicep CLI (https://learn.microsoft.com/azure/azure-resource-manager/bicep/install) or the Azure CLI with `az bicep install`, and put it on PATH';

/** A compile that takes longer than this has hung (a registry that never answers, say). */
const COMPILE_TIMEOUT_MS = 5 * 60 * 1000;

const PASSED_ENVIRONMENT = new Set([
  'PATH',
  'HOME',
  'USERPROFILE',
  'TMPDIR',
  'TMP',
  'TEMP',
  'LANG',
  'LC_ALL',
  'SYSTEMROOT',
  'WINDIR',
  'APPDATA',
  'LOCALAPPDATA',
  'PROGRAMDATA',
  'AZURE_CONFIG_DIR',
  'AZURE_EXTENSION_DIR'
]);

/** The environment a Bicep compile gets: what it needs to run, none of the caller's secrets. */
export function bicepEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const passed: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) {
    const upper = name.toUpperCase();
    if (value !== undefined && (PASSED_ENVIRONMENT.has(upper) || upper.startsWith('DOTNET_'))) passed[name] = value;
  }
  return passed;
}

function executableOnPath(name: string, env: NodeJS.ProcessEnv): string | null {
  const pathVariable = Object.entries(env).find(([key]) => key.toUpperCase() === 'PATH')?.[1] ?? '';
  const names = process.platform === 'win32' ? [`${name}.exe`] : [name];
  for (const dir of pathVariable.split(path.delimiter)) {
    if (!dir || !path.isAbsolute(dir)) continue; // a relative PATH entry would run whatever the repository puts there
    for (const candidate of names) {
      const full = path.join(dir, candidate);
      try {
        if (!fs.statSync(full).isFile()) continue;
        fs.accessSync(full, fs.constants.X_OK);
        return full;
      } catch {
        // not here
      }
    }
  }
  return null;
}

/** The Bicep CLI on PATH (`bicep`, else `az bicep`), or null. */
export function findBicepCli(env: NodeJS.ProcessEnv): BicepCli | null {
  const bicep = executableOnPath('bicep', env);
  if (bicep)
    return {
      executable: bicep,
      label: 'bicep',
      build: file => ['build', file, '--stdout'],
      buildParams: file => ['build-params', file, '--stdout']
    };
  // On Windows the Azure CLI is az.cmd, which only a shell runs: there, only bicep.exe is used.
  const az = executableOnPath('az', env);
  if (az)
    return {
      executable: az,
      label: 'az bicep',
      build: file => ['bicep', 'build', '--file', file, '--stdout'],
      buildParams: file => ['bicep', 'build-params', '--file', file, '--stdout']
    };
  return null;
}

/** `path(line,col) : Error BCP018: message [url]`, as the Bicep CLI writes each diagnostic. */
const DIAGNOSTIC = /^(.+)\((\d+),(\d+)\) : (Error|Warning|Info) ([^:\s]+): (.*)$/;

/**
 * Runs the CLI on an absolute `.bicep` or `.bicepparam` path and returns what it wrote to standard
 * output. A compile error is a UserError at the file and line the CLI names; no CLI is a UserError
 * saying how to install one.
 */
export function runBicep(file: string, kind: 'build' | 'build-params', env: NodeJS.ProcessEnv): string {
  if (!path.isAbsolute(file)) throw new Error(`runBicep needs an absolute path, got ${file}`);
  const cli = findBicepCli(env);
  if (!cli) throw new UserError(`cannot compile this Bicep file: no Bicep CLI on PATH; ${INSTALL_BICEP}.`, { file });
  const args = kind === 'build' ? cli.build(file) : cli.buildParams(file);
  const result = nodeChildProcess().spawnSync(cli.executable, args, {
    cwd: path.dirname(file),
    env: bicepEnvironment(env),
    encoding: 'utf8',
    maxBuffer: maxInputBytes() + 1024 * 1024,
    timeout: COMPILE_TIMEOUT_MS,
    windowsHide: true,
    shell: false,
    stdio: ['ignore', 'pipe', 'pipe']
  });
  if (result.error) {
    const code = (result.error as NodeJS.ErrnoException).code;
    const why =
      code === 'ETIMEDOUT'
        ? `it did not finish within ${COMPILE_TIMEOUT_MS / 60000} minutes`
        : code === 'ENOBUFS'
          ? `its output is larger than ${describeBytes(maxInputBytes())} (${LIMIT_VARIABLES.fileBytes})`
          : result.error.message;
    throw new UserError(`cannot compile this Bicep file with ${cli.label}: ${why}.`, { file });
  }
  if (result.status !== 0) throw compileErrors(file, cli, result.stderr ?? '', result.stdout ?? '', result.status);
  return result.stdout ?? '';
}

function compileErrors(file: string, cli: BicepCli, stderr: string, stdout: string, status: number | null): UserError {
  const errors: UserError[] = [];
  for (const line of `${stderr}\n${stdout}`.split(/\r?\n/)) {
    const match = DIAGNOSTIC.exec(line.trim().replace(/^(ERROR|WARNING): /, ''));
    if (!match || match[4] !== 'Error') continue;
    const message = match[6].replace(/\s*\[https:\/\/aka\.ms\/[^\]]*\]\s*$/, '');
    errors.push(
      new UserError(`${match[5]}: ${message} (from ${cli.label} build)`, {
        file: path.resolve(path.dirname(file), match[1]),
        line: Number(match[2]),
        column: Number(match[3])
      })
    );
  }
  if (errors.length === 1) return errors[0];
  if (errors.length > 1) return new UserErrors(errors);
  const said = stderr.trim().split(/\r?\n/).slice(0, 3).join(' ').slice(0, 500);
  return new UserError(
    `${cli.label} could not compile this file (exit status ${String(status)})${said ? `: ${said}` : ''}; run \`${cli.label} build\` on it to see why.`,
    { file }
  );
}
