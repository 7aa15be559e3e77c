/**
 * "Metaflow: Show Flow Graph": a webview beside the editor drawing the flow's DAG from the
 * server's `metaflowExpert.graph` command (foreach bodies boxed, each node's problems in its
 * tooltip). Redrawn as the user types (debounced) and when diagnostics change; the panel
 * fits, zooms and pans (webview/graph.ts); a click on a step jumps to its `def`.
 */

import * as vscode from "vscode";
import { ExecuteCommandRequest } from "vscode-languageclient/node";
import { renderFlowSvg } from "./pure/graphSvg";
import { COMMANDS, type GraphResult } from "./pure/protocol";
import type { ServerManager } from "./serverManager";
import { panelHtml, panelOptions } from "./webviewHtml";

const REFRESH_DEBOUNCE_MS = 350;

type FromWebview = { type: "reveal"; step: string; line?: number } | { type: "ready" };

export class GraphPanel implements vscode.Disposable {
  private static current: GraphPanel | undefined;
  private timer: NodeJS.Timeout | undefined;
  private generation = 0;
  private lastLines = new Map<string, number>();
  private readonly disposables: vscode.Disposable[] = [];

  static show(context: vscode.ExtensionContext, manager: ServerManager, uri: vscode.Uri): void {
    if (GraphPanel.current) {
      GraphPanel.current.setDocument(uri);
      GraphPanel.current.panel.reveal(vscode.ViewColumn.Beside, true);
      return;
    }
    const panel = vscode.window.createWebviewPanel(
      "metaflowExpert.graph",
      "Flow Graph",
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      panelOptions(context.extensionUri),
    );
    GraphPanel.current = new GraphPanel(panel, context, manager, uri);
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    context: vscode.ExtensionContext,
    private readonly manager: ServerManager,
    private uri: vscode.Uri,
  ) {
    panel.webview.html = panelHtml(panel.webview, context.extensionUri, {
      title: "Flow Graph",
      script: "graph.js",
      body: `<header><span id="title"></span><span id="status" class="muted"></span></header>
<div class="legend"><span class="lg lg-linear">linear</span><span class="lg lg-branch">branch</span><span class="lg lg-foreach">foreach</span><span class="lg lg-switch">switch</span><span class="lg lg-parallel">parallel</span><span class="lg lg-join">join</span><span class="lg-box lg-problems">has problems</span><span class="lg-box lg-missing">missing step</span><span class="lg-box lg-group">foreach body</span></div>
<main id="graphs"><p class="muted">Waiting for the language server…</p></main>`,
    });
    this.setTitle();
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m: FromWebview) => this.onMessage(m)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.toString() === this.uri.toString()) this.schedule();
      }),
      vscode.languages.onDidChangeDiagnostics((e) => {
        if (e.uris.some((u) => u.toString() === this.uri.toString())) this.schedule();
      }),
      vscode.window.onDidChangeActiveTextEditor((ed) => {
        if (ed && ed.document.languageId === "python" && ed.document.uri.scheme === "file") this.setDocument(ed.document.uri);
      }),
      manager.onDidChangeClient(() => this.schedule()),
    );
    this.schedule(0);
  }

  private setTitle(): void {
    this.panel.title = `Flow Graph: ${this.uri.path.split("/").pop()}`;
  }

  setDocument(uri: vscode.Uri): void {
    if (uri.toString() === this.uri.toString()) return;
    this.uri = uri;
    this.setTitle();
    this.schedule(0);
  }

  private schedule(delay = REFRESH_DEBOUNCE_MS): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), delay);
  }

  private post(msg: unknown): void {
    void this.panel.webview.postMessage(msg);
  }

  async refresh(): Promise<void> {
    const gen = ++this.generation;
    const client = this.manager.readyClient();
    if (!client) {
      this.post({ type: "status", text: "Waiting for the language server…" });
      return;
    }
    let result: GraphResult | null;
    try {
      result = (await client.sendRequest(ExecuteCommandRequest.type, {
        command: COMMANDS.graph,
        arguments: [this.uri.toString()],
      })) as GraphResult | null;
    } catch (e) {
      if (gen === this.generation) this.post({ type: "status", text: `Could not get the graph: ${e instanceof Error ? e.message : String(e)}` });
      return;
    }
    if (gen !== this.generation) return; // a newer refresh is under way
    const flows = result?.flows ?? [];
    this.lastLines = new Map(flows.flatMap((f) => f.nodes.map((n) => [n.name, n.line] as [string, number])));
    const svgs = flows.map((f) => {
      try {
        return { name: f.name, steps: f.nodes.length, svg: renderFlowSvg(f) };
      } catch (e) {
        return { name: f.name, steps: f.nodes.length, svg: "", error: e instanceof Error ? e.message : String(e) };
      }
    });
    this.post({ type: "graph", file: this.uri.path.split("/").pop(), flows: svgs });
  }

  private async onMessage(m: FromWebview): Promise<void> {
    if (m.type === "ready") return this.schedule(0);
    if (m.type !== "reveal") return;
    const line = typeof m.line === "number" ? m.line : this.lastLines.get(m.step);
    if (line === undefined) return;
    const doc = await vscode.workspace.openTextDocument(this.uri);
    const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === this.uri.toString());
    const editor = await vscode.window.showTextDocument(doc, {
      viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One,
      preserveFocus: false,
    });
    // Graph lines are 0-based LSP lines (the contract's coordinates).
    const target = Math.max(0, Math.min(line, doc.lineCount - 1));
    const text = doc.lineAt(target).text;
    const col = Math.max(0, text.indexOf(m.step));
    const pos = new vscode.Position(target, col);
    editor.selection = new vscode.Selection(pos, pos.translate(0, col ? m.step.length : 0));
    editor.revealRange(new vscode.Range(pos, pos), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    GraphPanel.current = undefined;
    this.disposables.forEach((d) => d.dispose());
    this.panel.dispose();
  }
}
