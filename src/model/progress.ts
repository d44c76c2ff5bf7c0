/**
 * How far a long step has come: `done` of `total` (files read, templates expanded, resources
 * evaluated). The pipeline calls it as it goes; the CLI draws it on a terminal (src/report/progress.ts).
 */
export type ProgressReport = (step: string, done: number, total?: number) => void;
