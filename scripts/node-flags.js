'use strict';
/**
 * Node/V8 flags every Ripple process is started with where the services share one
 * machine: `npm start` (each app, or the one-process host), docker compose, the
 * end-to-end tests and the bench. V8 refuses these in NODE_OPTIONS and cannot take
 * them once running, so each launcher puts them on the command line.
 *
 * --single-threaded-gc: a process's garbage collector works on its own thread only.
 * By default V8 also marks, scavenges and compacts on helper threads, so a major GC
 * in any one of the five services takes both cores of a small machine for its
 * duration, and every other service's work waits behind it: on the 2-core machine
 * of issue 10, 15 of 21 bursts of slow updates at 100/s had a major GC in some app
 * within 80 ms. Measured with the flag, open loop, alternated: p99 PUT → SSE at
 * 100/s 31 against 49 ms, at 200/s 53 / 60 against 83 / 83 ms (updates over 40 ms:
 * 343 / 554 against 865 / 630 of 6,000), the same CPU per update (9.90 against
 * 9.74 ms at 100/s); at 400/s, where both cores are busy anyway, no difference.
 * A service alone on a machine with cores to spare may do better without it.
 */
module.exports.APP_NODE_FLAGS = Object.freeze(['--single-threaded-gc']);
