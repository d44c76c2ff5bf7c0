// Writes src/rules/validators.generated.ts, src/rules/ruleTextCache.generated.ts and
// src/engine/aliasLines.generated.ts, what every run would
// otherwise compile at its start (scripts/generateValidators.ts says what). Node 24 reads the TypeScript;
// this hook lets the sources' `./x.js` imports find `./x.ts`. A test fails when a file is stale.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { registerHooks } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

registerHooks({
  resolve(specifier, context, nextResolve) {
    try {
      return nextResolve(specifier, context);
    } catch (error) {
      if (/^\.\.?\//.test(specifier) && specifier.endsWith('.js'))
        return nextResolve(`${specifier.slice(0, -3)}.ts`, context);
      throw error;
    }
  }
});

const { aliasLinesModule, ruleTextCacheModule, validatorsModule } = await import('./generateValidators.ts');
// Reading rule files uses ajv, js-yaml and the generated validators, which a run loads first.
await (await import('../src/rules/tooling.ts')).loadRuleTooling();
const rules = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/rules');
const validators = path.join(rules, 'validators.generated.ts');
const text = validatorsModule();
if (readFileSync(validators, 'utf8') !== text) {
  writeFileSync(validators, text);
  // The bundled pack is checked with these validators: made again by a run that loads the new ones.
  const again = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], {
    stdio: 'inherit'
  });
  process.exit(again.status ?? 1);
}
writeFileSync(path.join(rules, 'ruleTextCache.generated.ts'), ruleTextCacheModule());
writeFileSync(path.join(rules, '../engine/aliasLines.generated.ts'), aliasLinesModule());
