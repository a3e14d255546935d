// bench/cpu-prof-hook: V8 CPU profiles of chosen stretches of a process
// that was started with NODE_OPTIONS (which refuses --cpu-prof). Loaded with
// `--import=file:///…/bench/cpu-prof-hook.mjs` and
// $REFSWITCH_BENCH_CPU_PROF=PREFIX, it profiles (1 ms sampling) between one
// SIGUSR2 and the next, and writes PREFIX.N.cpuprofile for the N-th such
// stretch (N from 1) when it ends — or at exit, if the process exits inside
// one. Does nothing without the variable. Used by bench/datapath --profile,
// which signals the switch at the edges of each measured window;
// summarised by bench/cpu-profile.ts.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const prefix = process.env.REFSWITCH_BENCH_CPU_PROF;
if (prefix) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 1000 });
  let stretch = 0;
  let running = false;
  // A same-thread session answers synchronously, so this also works inside 'exit'.
  const stop = () => {
    running = false;
    session.post('Profiler.stop', (err, r) => {
      if (err) process.stderr.write(`cpu-prof-hook: ${err.message}\n`);
      else writeFileSync(`${prefix}.${stretch}.cpuprofile`, JSON.stringify(r.profile));
    });
  };
  process.on('SIGUSR2', () => {
    if (running) return stop();
    stretch++;
    running = true;
    session.post('Profiler.start');
  });
  process.on('exit', () => {
    if (running) stop();
  });
}
