// Writes src/rules/validators.generated.ts, ajv's standalone code for the schemas every run checks rule
// files with (src/rules/generateValidators.ts says which). Node 24 reads the TypeScript; this hook lets the
// sources' `./x.js` imports find `./x.ts`. A test fails when the file is stale.
import { writeFileSync } from 'node:fs';
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

const { validatorsModule } = await import('../src/rules/generateValidators.ts');
const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/rules/validators.generated.ts');
writeFileSync(file, validatorsModule());
