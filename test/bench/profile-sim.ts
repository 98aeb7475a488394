// Profiling aid: `node --cpu-prof --import tsx test/bench/profile-sim.ts` runs the simulation benchmark once.
import { benchSimulation } from './playbooks.js';

const t0 = performance.now();
await benchSimulation(2);
console.log(`${Math.round(performance.now() - t0)} ms`);
