/**
 * The made-up providers of the docs' examples and of these tests (`Microsoft.Test/resourceType`,
 * `Microsoft.Example/widgets`): their aliases follow Azure's naming convention
 * (`<type>/a.b` → `properties.a.b`). Real aliases still come from the shipped catalog.
 */
const madeUp = /^(microsoft\.test|microsoft\.example)\/[^/]+(?:\/[^/]+)*\/([^/]+)$/i;

export function testAliases(alias: string): string | undefined {
  const m = madeUp.exec(alias);
  return m ? `properties.${m[2]}` : undefined;
}

/** `loadDefinition` with the made-up providers' aliases declared. */
export function withTestAliases<S, O extends { aliases?: unknown }, R>(
  load: (src: S, options?: O) => R
): (src: S, options?: O) => R {
  return (src, options) => load(src, { aliases: testAliases, ...options } as O);
}
