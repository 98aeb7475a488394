// Structured logs (pino), one root logger per process.
import { pino, type Logger } from 'pino';
import type { LogLevel } from './config/index.js';

export function createLogger(level: LogLevel, name = 'rapport'): Logger {
  return pino({ name, level, base: { pid: process.pid } });
}
export type { Logger };
