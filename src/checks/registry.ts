// Every check, in ID order. Loaded only by commands that run checks.
import type {CheckDefinition} from './define.js';

export const CHECKS: readonly CheckDefinition[] = [];
