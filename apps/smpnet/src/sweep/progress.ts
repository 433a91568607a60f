/*
 * A sweep's progress on stderr: a bar (runs done, running, time left) on a
 * terminal, plain log lines otherwise, so a batch log stays readable.
 */
import { SingleBar } from "cli-progress";

export interface Progress {
  started(): void;
  finished(): void;
  stop(): void;
}

function eta(doneRuns: number, total: number, elapsedMs: number): string {
  if (doneRuns === 0) return "unknown";
  const s = Math.round(((total - doneRuns) * elapsedMs) / doneRuns / 1000);
  return s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
}

export function progress(total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  let running = 0;
  let doneRuns = 0;
  const t0 = Date.now();
  if (stream.isTTY) {
    const bar = new SingleBar({
      stream,
      format: "sweep [{bar}] {value}/{total} runs done, {running} running, {left} left",
      hideCursor: true,
    });
    bar.start(total, 0, { running, left: "unknown" });
    return {
      started() {
        running++;
        bar.update(doneRuns, { running });
      },
      finished() {
        running--;
        doneRuns++;
        bar.update(doneRuns, { running, left: eta(doneRuns, total, Date.now() - t0) });
      },
      stop() {
        bar.stop();
      },
    };
  }
  return {
    started() {
      running++;
    },
    finished() {
      running--;
      doneRuns++;
      stream.write(
        `sweep: ${doneRuns}/${total} runs done, ${running} running, ${eta(doneRuns, total, Date.now() - t0)} left\n`,
      );
    },
    stop() {},
  };
}
