import cliProgress from 'cli-progress';

import { silentReporter, type ProgressFields, type Reporter, type Task } from '../lib/index.ts';

export type ReporterMode = 'auto' | 'tty' | 'plain' | 'json' | 'quiet';

function formatFields(fields: ProgressFields | undefined): string {
  if (!fields) return '';
  return Object.entries(fields)
    .map(([key, value]) => `${key} ${typeof value === 'number' ? formatNumber(value) : value}`)
    .join('  ');
}

function formatNumber(value: number): string {
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(4);
}

/** Progress bars (cli-progress) for an interactive terminal; output goes to stderr. */
class TerminalReporter implements Reporter {
  private readonly bars = new cliProgress.MultiBar(
    {
      format: '{name} |{bar}| {value}/{total} {unit} {eta_formatted} {fields}',
      barsize: 24,
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );

  task(name: string, total: number, unit = ''): Task {
    const bar = this.bars.create(total, 0, { name: name.padEnd(18), unit, fields: '' });
    return {
      update: (done, fields) => bar.update(done, { fields: formatFields(fields) }),
      finish: (summary) => {
        bar.update(total, { fields: '' });
        this.bars.remove(bar);
        if (summary) this.bars.log(`${summary}\n`);
      },
    };
  }

  info(message: string): void {
    this.bars.log(`${message}\n`);
  }

  event(): void {}

  close(): void {
    this.bars.stop();
  }
}

/** Plain log lines for pipes and CI: a line when a task passes each 10% (or 30 s), and at its end. */
class LineReporter implements Reporter {
  constructor(private readonly out: NodeJS.WritableStream) {}

  task(name: string, total: number, unit = ''): Task {
    const started = Date.now();
    let lastDecile = 0;
    let lastLine = started;
    return {
      update: (done, fields) => {
        const decile = Math.floor((done / Math.max(total, 1)) * 10);
        const now = Date.now();
        if (decile > lastDecile || now - lastLine > 30_000) {
          lastDecile = decile;
          lastLine = now;
          this.out.write(`${name}: ${done}/${total} ${unit} ${formatFields(fields)}`.trimEnd() + '\n');
        }
      },
      finish: (summary) => {
        this.out.write(`${summary ?? `${name}: done`} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
      },
    };
  }

  info(message: string): void {
    this.out.write(`${message}\n`);
  }

  event(): void {}

  close(): void {}
}

/** One JSON object per line on stdout: progress, messages and the caller's events. */
class JsonReporter implements Reporter {
  task(name: string, total: number, unit = ''): Task {
    let lastPercent = -1;
    return {
      update: (done, fields) => {
        const percent = Math.floor((done / Math.max(total, 1)) * 100);
        if (percent === lastPercent) return;
        lastPercent = percent;
        this.event({ type: 'progress', task: name, done, total, unit, ...(fields ?? {}) });
      },
      finish: (summary) => this.event({ type: 'task-done', task: name, ...(summary ? { summary } : {}) }),
    };
  }

  info(message: string): void {
    this.event({ type: 'message', message });
  }

  event(event: { type: string; [key: string]: unknown }): void {
    process.stdout.write(`${JSON.stringify(event)}\n`);
  }

  close(): void {}
}

/** The reporter for a mode; 'auto' picks bars on a terminal and plain lines otherwise. */
export function createReporter(mode: ReporterMode = 'auto'): Reporter {
  const resolved = mode === 'auto' ? (process.stderr.isTTY ? 'tty' : 'plain') : mode;
  switch (resolved) {
    case 'tty':
      return new TerminalReporter();
    case 'plain':
      return new LineReporter(process.stdout);
    case 'json':
      return new JsonReporter();
    case 'quiet':
      return silentReporter();
  }
}
