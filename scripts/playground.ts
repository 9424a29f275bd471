import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

export interface Playground {
  url: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts the Microsoft 365 Agents Playground (a local Teams emulator) against a bot endpoint and
 * resolves with its address. It prints "Listening on N" when ready and takes a random port if the
 * asked one is busy, so the port is read from that line.
 */
export async function startPlayground(options: { botEndpoint: string; configPath: string; port?: number; cwd?: string; openBrowser?: boolean }): Promise<Playground> {
  const require = createRequire(import.meta.url);
  const cli = join(dirname(require.resolve('@microsoft/m365agentsplayground/package.json')), 'cli.js');
  const args = [cli, '-e', options.botEndpoint, '-c', 'msteams', '--dt', '-p', String(options.port ?? 56150)];
  const child = spawn(process.execPath, args, {
    cwd: options.cwd ?? process.cwd(),
    env: {
      ...process.env,
      M365_AGENTS_PLAYGROUND_CONFIG_PATH: resolve(options.configPath),
      ...(options.openBrowser ? {} : { TEAMSAPPTESTER_BROWSER: 'none' }),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const port = await new Promise<number>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`the Agents Playground did not start within 30 s:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = output.match(/Listening on (\d+)/);
      if (m) {
        clearTimeout(timer);
        ok(Number(m[1]));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`the Agents Playground exited (${code}) before it was ready:\n${output}`));
    });
  });
  return {
    url: `http://localhost:${port}`,
    port,
    process: child,
    stop: () =>
      new Promise<void>((ok) => {
        if (child.exitCode !== null) return ok();
        child.once('exit', () => ok());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}
