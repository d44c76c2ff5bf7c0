import type { Annotation } from './annotations.js';

/**
 * A check run that carries every annotation when a step cannot show them all. The Checks
 * API takes at most 50 annotations per request; further ones are appended by updating
 * the run (https://docs.github.com/en/rest/checks/runs#update-a-check-run).
 */

export const CHECK_RUN_NAME = 'cmk-guard';
export const ANNOTATIONS_PER_REQUEST = 50;
const TITLE_LIMIT = 255;
const MESSAGE_LIMIT = 64 * 1024 - 64;

export interface CheckRunAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: 'notice' | 'warning' | 'failure';
  title: string;
  message: string;
}

export interface CheckRunPlan {
  name: string;
  headSha: string;
  conclusion: 'success' | 'failure' | 'neutral';
  title: string;
  summary: string;
  /** The first batch goes with the create request, each later one with an update. */
  batches: CheckRunAnnotation[][];
}

const levels: Record<Annotation['level'], CheckRunAnnotation['annotation_level']> = {
  error: 'failure',
  warning: 'warning',
  notice: 'notice'
};

/** Annotations with a file, as the Checks API wants them; the others stay in the summary. */
export function toCheckRunAnnotations(annotations: Annotation[]): CheckRunAnnotation[] {
  return annotations
    .filter((a): a is Annotation & { file: string } => a.file !== undefined)
    .map(a => ({
      path: a.file,
      start_line: a.line ?? 1,
      end_line: a.line ?? 1,
      ...(a.line && a.column ? { start_column: a.column, end_column: a.column } : {}),
      annotation_level: levels[a.level],
      title: truncate(a.title, TITLE_LIMIT),
      message: truncate(a.message, MESSAGE_LIMIT)
    }));
}

export function planCheckRun(
  annotations: Annotation[],
  options: { headSha: string; conclusion: CheckRunPlan['conclusion']; title: string; summary: string }
): CheckRunPlan {
  const all = toCheckRunAnnotations(annotations);
  const batches: CheckRunAnnotation[][] = [];
  for (let i = 0; i < all.length; i += ANNOTATIONS_PER_REQUEST) batches.push(all.slice(i, i + ANNOTATIONS_PER_REQUEST));
  return {
    name: CHECK_RUN_NAME,
    headSha: options.headSha,
    conclusion: options.conclusion,
    title: options.title,
    summary: options.summary,
    batches
  };
}

function truncate(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}
