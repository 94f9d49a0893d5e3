// Worker thread of the fleet pool: analyzes the jobs it is sent, one at a time, and posts back
// the outcome (the snapshot itself never leaves the thread, so memory stays per worker).
import {parentPort} from 'node:worker_threads';
import {runHostJob, type HostJob} from './host-job.js';

parentPort?.on('message', (msg: {id: number; job: HostJob}) => {
  void runHostJob(msg.job).then((outcome) => parentPort!.postMessage({id: msg.id, outcome}));
});
