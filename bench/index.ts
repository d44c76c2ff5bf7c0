/** Runs every benchmark; each prints its ratio against a baseline measured in the same run. */
import { runEngineBench } from './engine.bench.js';

runEngineBench();
