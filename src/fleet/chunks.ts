// Rendered pieces of each host's report (its JSON, its Prometheus samples per family), kept until
// the fleet report is written in host order. In memory for small runs and formats that need the
// reports anyway; in a spool file when streaming (JSON, Prometheus), so a fleet of any size holds
// one host's report at a time: each report is rendered as it arrives and dropped.
import {closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import type {Report} from '../model.js';
import type {FleetReport} from './report.js';

export interface HostChunks {
  put(host: number, key: string, text: string): void;
  get(host: number, key: string): string | undefined;
  close(): void;
}

class MemoryChunks implements HostChunks {
  private readonly map = new Map<string, string>();
  put(host: number, key: string, text: string): void {
    this.map.set(`${host}\u0000${key}`, text);
  }
  get(host: number, key: string): string | undefined {
    return this.map.get(`${host}\u0000${key}`);
  }
  close(): void {
    this.map.clear();
  }
}

/**
 * Chunks appended to a file read back by offset. The file is unlinked as soon as it is open (its
 * private temp directory too): nothing is left behind, even when the process is killed.
 */
export class SpoolChunks implements HostChunks {
  private readonly fd = SpoolChunks.anonymousFile();
  private readonly at = new Map<string, {offset: number; length: number}>();
  private end = 0;

  put(host: number, key: string, text: string): void {
    const buf = Buffer.from(text, 'utf8');
    writeSync(this.fd, buf, 0, buf.length, this.end);
    this.at.set(`${host}\u0000${key}`, {offset: this.end, length: buf.length});
    this.end += buf.length;
  }

  get(host: number, key: string): string | undefined {
    const ref = this.at.get(`${host}\u0000${key}`);
    if (!ref) return undefined;
    const buf = Buffer.alloc(ref.length);
    readSync(this.fd, buf, 0, ref.length, ref.offset);
    return buf.toString('utf8');
  }

  close(): void {
    closeSync(this.fd);
    this.at.clear();
  }

  private static anonymousFile(): number {
    const dir = mkdtempSync(join(tmpdir(), 'tapdoctor-fleet-'));
    try {
      return openSync(join(dir, 'chunks'), 'w+', 0o600);
    } finally {
      rmSync(dir, {recursive: true, force: true});
    }
  }
}

/**
 * A streamed format rendered from a report that still holds its hosts' reports: each host's
 * pieces put in memory, then the same writer as when streaming, collected into one string.
 */
export function renderHeld(report: FleetReport, spool: (chunks: HostChunks, index: number, name: string, host: Report) => void, write: (chunks: HostChunks, write: (text: string) => void) => void): string {
  const chunks = new MemoryChunks();
  for (const h of report.hosts) if (h.report) spool(chunks, h.index, h.name, h.report);
  const out: string[] = [];
  write(chunks, (t) => out.push(t));
  return out.join('');
}
