/** Runs every benchmark; each prints its ratio against a baseline measured in the same run. */
import { runEngineBench } from './engine.bench.js';
import { runPipelineBench } from './pipeline.bench.js';

runEngineBench();
console.log();
await runPipelineBench();
