// An injectable leveled logger. The default is silent, and `enabled` lets callers skip building
// log strings when nobody listens.

export type LogLevel = "debug" | "info" | "warn" | "error";

export interface Logger {
  readonly enabled: boolean;
  log(level: LogLevel, message: string, detail?: unknown): void;
}

export type LoggerOption = boolean | Logger | ((level: LogLevel, message: string, detail?: unknown) => void);

export const silentLogger: Logger = { enabled: false, log() {} };

export function createLogger(option: LoggerOption | undefined): Logger {
  if (!option) return silentLogger;
  if (typeof option === "function") return { enabled: true, log: option };
  if (option === true) {
    return {
      enabled: true,
      log(level, message, detail) {
        const write = level === "debug" ? console.debug : console[level];
        detail === undefined ? write(`[cable-courier] ${message}`) : write(`[cable-courier] ${message}`, detail);
      },
    };
  }
  return option;
}
