/**
 * A stand-in for the Bicep CLI (and for `az bicep`), for tests: installed on PATH as `bicep` or
 * `az` by fake-bicep.ts. It keeps the real CLI's contract as cmk-guard uses it:
 *   bicep build <file> --stdout              az bicep build --file <file> --stdout
 *   bicep build-params <file> --stdout       az bicep build-params --file <file> --stdout
 * For `<dir>/<stem>.bicep` it writes `<dir>/<stem>.json` (the compiled template, committed beside
 * it) to standard output, or `<dir>/<stem>.build` when there is one (a committed `<stem>.json` that
 * is not what the Bicep file compiles to); `<stem>.stderr` (with `{file}` replaced by the path it was given) to
 * standard error; and exits with the number in `<stem>.exit` (0 without one, and then only if the
 * compiled template exists). For a `.bicepparam` file it writes `{"parametersJson", "templateJson"}`
 * from `<stem>.bicepparam.json` and the compiled template of the file its `using` names.
 * Every call is appended to calls.jsonl beside this script: its arguments, working folder and the
 * names of the environment variables it was given.
 */
const fs = require('node:fs');
const path = require('node:path');

const invokedAs = path.basename(process.argv[1]);
let args = process.argv.slice(2);
fs.appendFileSync(
  path.join(__dirname, 'calls.jsonl'),
  JSON.stringify({ as: invokedAs, args, cwd: process.cwd(), env: Object.keys(process.env).sort() }) + '\n'
);

function fail(message, code) {
  process.stderr.write(message + '\n');
  process.exit(code);
}

let command;
let file;
if (invokedAs === 'az') {
  if (args[0] !== 'bicep') fail(`az: '${args[0]}' is not in the 'az' command group.`, 2);
  command = args[1];
  const at = args.indexOf('--file');
  file = at >= 0 ? args[at + 1] : undefined;
} else {
  command = args[0];
  file = args[1];
}
if (!['build', 'build-params'].includes(command) || !args.includes('--stdout') || !file)
  fail(`unexpected arguments: ${JSON.stringify(args)}`, 2);
if (!path.isAbsolute(file)) fail(`expected an absolute path, got ${file}`, 2);

const stem = file.replace(/\.bicep(param)?$/i, '');
const read = name => {
  try {
    return fs.readFileSync(name, 'utf8');
  } catch {
    return null;
  }
};
const stderr = read(`${stem}.stderr`);
if (stderr !== null) process.stderr.write(stderr.split('{file}').join(file));
const exit = read(`${stem}.exit`);
const status = exit === null ? 0 : Number(exit.trim());
if (status !== 0) process.exit(status);

if (command === 'build') {
  const compiled = read(`${stem}.build`) ?? read(`${stem}.json`);
  if (compiled === null)
    fail(`${file}(1,1) : Error BCP091: An error occurred reading file. (fake: no ${stem}.json)`, 1);
  process.stdout.write(compiled);
} else {
  const text = read(file) ?? '';
  const using = /^\s*using\s+'([^']+)'/m.exec(text);
  if (!using) fail(`${file}(1,1) : Error BCP261: A using declaration must be present in this parameters file.`, 1);
  const template = read(path.resolve(path.dirname(file), using[1]).replace(/\.bicep$/i, '.json'));
  const parameters = read(`${file}.json`);
  if (template === null || parameters === null) fail(`fake: missing the compiled template or ${file}.json`, 1);
  process.stdout.write(JSON.stringify({ parametersJson: parameters, templateJson: template }, null, 2) + '\n');
}
