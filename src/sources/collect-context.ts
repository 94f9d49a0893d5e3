// What the live collector hands to its helpers (file reader, derived keys, probes): the options of
// a run, its context, and what was collected so far. Its own module so the helpers need not import
// the collector that imports them.
import type {SourceSpec} from './catalogue.js';
import type {SourceRecord} from './snapshot.js';

export interface CollectOptions {
  /** Host files are read below this directory ('/' normally). */
  root: string;
  timeoutMs: number;
  toolVersion: string;
  /** Called as each source finishes (progress display). */
  onProgress?: (done: number, total: number, source: string) => void;
  /** Limit to these sources (tests); default: the whole catalogue. */
  sources?: readonly SourceSpec[];
  env?: NodeJS.ProcessEnv;
  maxBytes?: number;
}

export const DEFAULT_MAX_BYTES = 32 * 1024 * 1024;

export interface CollectContext extends Required<Omit<CollectOptions, 'onProgress' | 'sources' | 'toolVersion'>> {
  isRoot: boolean;
}

/** Sources collected so far: per-key sources and probes read their keys and inputs from here. */
export interface Collected {
  sources: Record<string, SourceRecord>;
  contents: Map<string, Buffer>;
}
