/**
 * Owns the language server process: picks the interpreter, makes sure `metaflow_expert` is
 * importable (or offers the private venv), starts the LanguageClient with the settings, and
 * restarts it (debounced) when the interpreter, the Metaflow source or the API key change.
 */

import * as fs from "node:fs";
import * as os from "node:os";
import * as vscode from "vscode";
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
  State,
  TransportKind,
} from "vscode-languageclient/node";
import type { ApiKeyStore } from "./apiKey";
import { createPrivateEnv, privatePython } from "./privateEnv";
import { probeServerPackage } from "./processes";
import { pythonExtensionInterpreter } from "./pythonExtension";
import { resolveInterpreter } from "./pure/interpreter";
import { type AskDelta, COMMANDS, NOTIFICATIONS, type ServerSettings, type StatusInfo } from "./pure/protocol";
import { RESTART_KEYS, toServerSettings } from "./pure/settings";
import type { StatusBar } from "./statusBar";

const RESTART_DEBOUNCE_MS = 750;

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function workspaceFolder(): string | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
}

export class ServerManager implements vscode.Disposable {
  client: LanguageClient | undefined;
  /** The user's interpreter: analysed by the server and used to run flows. */
  userPython: string | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  /** Restarts run one after another; only the newest queued one does the work. */
  private chain: Promise<void> = Promise.resolve();
  private queued = 0;
  /** True from a restart request until that start has succeeded or failed. */
  private pending = false;
  private readonly settled = new vscode.EventEmitter<void>();
  private readonly onDidSettle = this.settled.event;
  private readonly clientChanged = new vscode.EventEmitter<LanguageClient | undefined>();
  readonly onDidChangeClient = this.clientChanged.event;
  /** `metaflowExpert/askDelta` from whichever client is running (one handler, many listeners). */
  private readonly askDelta = new vscode.EventEmitter<AskDelta>();
  readonly onAskDelta = this.askDelta.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    readonly log: vscode.LogOutputChannel,
    private readonly status: StatusBar,
    private readonly apiKey: ApiKeyStore,
  ) {
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration("metaflowExpert")) return;
        if (RESTART_KEYS.some((k) => e.affectsConfiguration(k))) {
          this.scheduleRestart("settings changed");
        } else {
          void this.pushSettings();
        }
      }),
    );
  }

  /** Current settings in the server's shape. */
  settings(): ServerSettings {
    const cfg = vscode.workspace.getConfiguration("metaflowExpert");
    return toServerSettings((k) => cfg.get(k), {
      workspaceFolder: workspaceFolder(),
      home: os.homedir(),
      env: process.env,
      resolvedInterpreter: this.userPython ?? null,
    });
  }

  /** A running client, or undefined (callers show "server not ready"). */
  readyClient(): LanguageClient | undefined {
    return this.client?.state === State.Running ? this.client : undefined;
  }

  /**
   * The running client, waiting (up to `timeoutMs`) when a start or restart is under way, so a
   * question asked right after "Set API Key" is not refused. Undefined when the server is down.
   */
  async whenReady(timeoutMs = 120_000): Promise<LanguageClient | undefined> {
    // While a restart is pending the running client is about to go (e.g. a new API key).
    if (!this.pending) return this.readyClient();
    return new Promise((resolve) => {
      const done = (c: LanguageClient | undefined) => {
        clearTimeout(timer);
        sub.dispose();
        resolve(c);
      };
      const timer = setTimeout(() => done(this.readyClient()), timeoutMs);
      const sub = this.onDidSettle(() => done(this.readyClient()));
    });
  }

  scheduleRestart(reason: string): void {
    this.pending = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      this.log.info(`Restarting the server: ${reason}`);
      void this.restart();
    }, RESTART_DEBOUNCE_MS);
  }

  restart(): Promise<void> {
    this.pending = true;
    this.queued++;
    this.chain = this.chain.then(async () => {
      try {
        if (this.queued === 1) {
          await this.stop();
          await this.start();
        }
      } catch (e) {
        this.fail(`Restarting the server failed: ${e instanceof Error ? e.message : String(e)}`);
      } finally {
        this.queued--;
        if (!this.queued && !this.restartTimer) {
          this.pending = false;
          this.settled.fire();
        }
      }
    });
    return this.chain;
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) {
      this.clientChanged.fire(undefined);
      try {
        await client.stop(5000);
      } catch (e) {
        this.log.warn(`Stopping the server: ${String(e)}`);
      }
    }
  }

  private fail(message: string): void {
    this.log.error(message);
    this.status.update({ state: "error", message });
  }

  /** Resolve the interpreters; returns the Python that runs the server, or undefined (reported). */
  private async serverPython(): Promise<string | undefined> {
    const cfg = vscode.workspace.getConfiguration("metaflowExpert");
    const editorUri = vscode.window.activeTextEditor?.document.uri;
    const setting = cfg.get<string>("interpreter");
    const resolution = resolveInterpreter({
      setting,
      // Only ask the Python extension (activating it if needed) when the setting is empty.
      pythonExtensionPath: setting?.trim() ? undefined : await pythonExtensionInterpreter(editorUri),
      workspaceFolder: workspaceFolder(),
      home: os.homedir(),
      env: process.env,
      isExecutable,
    });
    for (const t of resolution.tried) this.log.info(`Interpreter: tried ${t}`);
    if (!resolution.ok) {
      this.userPython = undefined;
      this.fail(resolution.message);
      void this.offerFix(resolution.message, false);
      return undefined;
    }
    this.userPython = resolution.command;
    this.log.info(`Interpreter: using ${resolution.command} (${resolution.source})`);

    const probe = await probeServerPackage(resolution.command);
    if (probe.ok) {
      this.log.info(`metaflow_expert ${probe.version} found in ${resolution.command}`);
      return resolution.command;
    }
    this.log.info(`metaflow_expert is not importable in ${resolution.command}: ${probe.message}`);
    const priv = privatePython(this.context);
    if (priv && (await probeServerPackage(priv)).ok) {
      this.log.info(`Using the private server environment ${priv}`);
      return priv;
    }
    const message = `metaflow_expert is not installed in ${resolution.command}.`;
    this.fail(message);
    void this.offerFix(message, true);
    return undefined;
  }

  private async offerFix(message: string, canCreate: boolean): Promise<void> {
    const create = "Create Private Environment";
    const settings = "Open Settings";
    const showLog = "Show Log";
    const choice = await vscode.window.showErrorMessage(
      `Metaflow Expert: ${message}`,
      ...(canCreate ? [create] : []),
      settings,
      showLog,
    );
    if (choice === create) await vscode.commands.executeCommand("metaflowExpert.createEnvironment");
    else if (choice === settings) await vscode.commands.executeCommand("workbench.action.openSettings", "metaflowExpert.interpreter");
    else if (choice === showLog) this.log.show();
  }

  /** "Metaflow: Create Private Server Environment". */
  async createEnvironment(): Promise<void> {
    const base = this.userPython ?? "python3";
    try {
      const python = await createPrivateEnv(this.context, base, this.log);
      this.log.info(`Private server environment ready: ${python}`);
      await this.restart();
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      this.fail(`Could not create the server environment: ${msg}`);
      void vscode.window.showErrorMessage(`Metaflow Expert: could not create the server environment: ${msg}`, "Show Log").then(
        (c) => c && this.log.show(),
      );
    }
  }

  async start(): Promise<void> {
    this.status.update({ state: "starting", message: "Starting the language server" });
    const python = await this.serverPython();
    if (!python) return;

    const env: NodeJS.ProcessEnv = { ...process.env, PYTHONUNBUFFERED: "1" };
    const key = await this.apiKey.get();
    if (key) env.ANTHROPIC_API_KEY = key;
    const serverOptions: ServerOptions = {
      command: python,
      args: ["-m", "metaflow_expert", "serve"],
      transport: TransportKind.stdio,
      options: { env, cwd: workspaceFolder() },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [
        { scheme: "file", language: "python" },
        { scheme: "untitled", language: "python" },
      ],
      outputChannel: this.log,
      initializationOptions: this.settings(),
      middleware: {
        workspace: {
          // The server may also pull settings (workspace/configuration): answer in its shape.
          configuration: async (params, token, next) => {
            const result = await next(params, token);
            if (!Array.isArray(result)) return result;
            return params.items.map((item, i) => (item.section === "metaflowExpert" ? this.settings() : result[i]));
          },
        },
      },
    };
    const client = new LanguageClient("metaflowExpert", "Metaflow Expert", serverOptions, clientOptions);
    client.onNotification(NOTIFICATIONS.status, (info: StatusInfo) => this.status.update(info));
    client.onNotification(NOTIFICATIONS.askDelta, (d: AskDelta) => this.askDelta.fire(d));
    client.onDidChangeState((e) => {
      if (e.newState === State.Stopped && this.client === client) {
        this.status.update({ state: "error", message: "The language server stopped. See the log." });
      }
    });
    this.client = client;
    this.log.info(`Starting: ${python} -m metaflow_expert serve`);
    try {
      await client.start();
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      if (this.client === client) this.client = undefined;
      this.fail(`The language server failed to start: ${msg}`);
      void vscode.window.showErrorMessage(`Metaflow Expert: the language server failed to start (${msg}).`, "Show Log").then(
        (c) => c && this.log.show(),
      );
      return;
    }
    if (this.client !== client) return;
    this.clientChanged.fire(client);
    // The first status notification may have been sent before we listened: ask once.
    try {
      const info = (await client.sendRequest("workspace/executeCommand", { command: COMMANDS.status, arguments: [] })) as
        | StatusInfo
        | null;
      if (info?.state) this.status.update(info);
    } catch (e) {
      this.log.debug(`metaflowExpert.status: ${String(e)}`);
      if (this.status.current.state === "starting") this.status.update({ state: "ready", message: "" });
    }
  }

  async pushSettings(): Promise<void> {
    const client = this.readyClient();
    if (!client) return;
    await client.sendNotification(DidChangeConfigurationNotification.type, {
      settings: { metaflowExpert: this.settings() },
    });
  }

  dispose(): void {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.disposables.forEach((d) => d.dispose());
    this.clientChanged.dispose();
    this.askDelta.dispose();
    this.settled.dispose();
    void this.stop();
  }
}
