/**
 * "Metaflow: Ask Metaflow Expert": a webview panel with the conversation. Each question goes to
 * the server's `metaflowExpert.ask` command; the answer streams in through
 * `metaflowExpert/askDelta` (text) and `$/progress` (status), is rendered from markdown here in
 * the extension host, and its `path:line` citations become links that open the cited Metaflow
 * source read-only. Follow-ups reuse the server's conversationId.
 *
 * Nothing asked is dropped: messages to the page go through a ReplayChannel (held until the
 * page's script says "ready", replayed in full when it reloads), and a question asked while
 * another is being answered waits its turn instead of being refused.
 */

import { randomUUID } from "node:crypto";
import * as vscode from "vscode";
import { CancellationTokenSource, ExecuteCommandRequest, WorkDoneProgress } from "vscode-languageclient/node";
import type { ApiKeyStore } from "./apiKey";
import { formatUsage, renderAnswer, renderMarkdown } from "./pure/answer";
import { citationLabel, citationTarget } from "./pure/citations";
import { askReplayRules, type FromAskView, type ToAskView } from "./pure/askMessages";
import { type AskDelta, type AskParams, type AskResult, type Citation, COMMANDS } from "./pure/protocol";
import { ReplayChannel } from "./pure/replayChannel";
import { SerialQueue } from "./pure/serialQueue";
import type { ServerManager } from "./serverManager";
import { panelHtml, panelOptions } from "./webviewHtml";

const RENDER_THROTTLE_MS = 60;

export interface AskContext {
  uri?: string;
  line?: number;
  selection?: string;
}

export class AskPanel implements vscode.Disposable {
  private static current: AskPanel | undefined;
  private conversationId: string | undefined;
  private context: AskContext = {};
  private turn = 0;
  /** Questions are answered one at a time, in the order asked. */
  private readonly questions = new SerialQueue();
  /** One per question not yet answered: Cancel ends the running one and those waiting. */
  private readonly unanswered = new Set<CancellationTokenSource>();
  private readonly channel: ReplayChannel<ToAskView>;
  private readonly citations = new Map<number, Citation[]>();
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;

  static async show(
    ext: vscode.ExtensionContext,
    manager: ServerManager,
    apiKey: ApiKeyStore,
    question?: string,
    context?: AskContext,
  ): Promise<void> {
    if (!AskPanel.current) {
      const panel = vscode.window.createWebviewPanel(
        "metaflowExpert.ask",
        "Metaflow Expert",
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false },
        panelOptions(ext.extensionUri),
      );
      AskPanel.current = new AskPanel(panel, ext, manager, apiKey);
    } else {
      AskPanel.current.panel.reveal(undefined, false);
    }
    const p = AskPanel.current;
    await p.sendHint();
    if (question) await p.ask(question, context ?? {}, undefined);
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    ext: vscode.ExtensionContext,
    private readonly manager: ServerManager,
    private readonly apiKey: ApiKeyStore,
  ) {
    this.channel = new ReplayChannel<ToAskView>((m) => !this.disposed && this.panel.webview.postMessage(m), askReplayRules);
    panel.webview.html = panelHtml(panel.webview, ext.extensionUri, {
      title: "Metaflow Expert",
      script: "ask.js",
      body: `<div id="hint" class="hint hidden"></div>
<main id="transcript"></main>
<footer>
  <form id="ask-form">
    <textarea id="question" rows="2" placeholder="Ask a follow-up about Metaflow… (Enter to send, Shift+Enter for a new line)"></textarea>
    <div class="row">
      <label title="Answer from the local index only, without calling the Anthropic API"><input type="checkbox" id="offline"> offline</label>
      <button type="button" id="new" class="secondary" title="Start a new conversation">New</button>
      <button type="button" id="cancel" class="secondary hidden">Cancel</button>
      <button type="submit" id="send">Ask</button>
    </div>
  </form>
</footer>`,
    });
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m: FromAskView) => void this.onMessage(m)),
      apiKey.onDidChange(() => void this.sendHint()),
    );
  }

  private post(msg: ToAskView): void {
    if (!this.disposed) this.channel.post(msg);
  }

  private async sendHint(): Promise<void> {
    const hasKey = !!(await this.apiKey.get()) || !!process.env.ANTHROPIC_API_KEY;
    this.post({ type: "hint", hasKey });
  }

  private async onMessage(m: FromAskView): Promise<void> {
    switch (m.type) {
      case "ask":
        if (m.question?.trim()) await this.ask(m.question.trim(), this.context, m.offline);
        break;
      case "cancel":
        this.unanswered.forEach((c) => c.cancel());
        break;
      case "openCitation":
        await this.openCitation(m.turn, m.index);
        break;
      case "setKey":
        await vscode.commands.executeCommand("metaflowExpert.setApiKey");
        break;
      case "newConversation":
        this.conversationId = undefined;
        this.context = {};
        this.post({ type: "cleared" });
        break;
      case "ready":
        // First load or a reload: the page is empty and listening; give it the whole transcript.
        this.channel.ready();
        this.manager.log.debug(`Ask panel ready: replayed ${this.channel.log.length} message(s)`);
        break;
    }
  }

  private async openCitation(turn: number, index: number): Promise<void> {
    const c = this.citations.get(turn)?.[index];
    const target = c && citationTarget(c);
    if (!target) {
      void vscode.window.showWarningMessage(`Metaflow Expert: no file to open for ${c ? citationLabel(c) : "this citation"}.`);
      return;
    }
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(target.uri));
    const last = Math.min(target.endLine, doc.lineCount - 1);
    const range = new vscode.Range(target.startLine, 0, last, doc.lineAt(Math.max(0, last)).text.length);
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, preview: true, selection: range });
  }

  /** Show the question at once and answer it after the ones before it; resolves when it has ended. */
  ask(question: string, context: AskContext, offline: boolean | undefined): Promise<void> {
    const id = ++this.turn;
    const cts = new CancellationTokenSource();
    const waiting = this.questions.length > 0;
    this.unanswered.add(cts);
    this.post({ type: "turnStart", id, question, context: context.selection ? "with the selected code" : "" });
    if (waiting) this.post({ type: "progress", id, message: "Waiting for the previous question…" });
    return this.questions.add(() => this.answer(id, question, context, offline, cts));
  }

  private async answer(id: number, question: string, context: AskContext, offline: boolean | undefined, cts: CancellationTokenSource): Promise<void> {
    this.context = context;
    const release = () => {
      cts.dispose();
      this.unanswered.delete(cts);
    };
    if (this.disposed || cts.token.isCancellationRequested) {
      this.post({ type: "turnError", id, message: "Cancelled." });
      release();
      return;
    }
    this.post({ type: "progress", id, message: "Waiting for the language server…" });
    const client = await this.manager.whenReady();
    if (!client || cts.token.isCancellationRequested) {
      this.post({
        type: "turnError",
        id,
        message: client ? "Cancelled." : "The language server is not running. See the status bar and the log.",
      });
      release();
      return;
    }
    this.post({ type: "progress", id, message: "Thinking…" });
    const token = randomUUID();
    let text = "";
    let renderTimer: NodeJS.Timeout | undefined;
    const flush = () => {
      renderTimer = undefined;
      this.post({ type: "delta", id, html: renderMarkdown(text) });
    };
    const subs = [
      this.manager.onAskDelta((d: AskDelta) => {
        if (String(d.token) !== token || typeof d.text !== "string") return;
        if (d.reset) text = ""; // the server withdrew what it streamed so far (a tool turn)
        text += d.text;
        if (!renderTimer) renderTimer = setTimeout(flush, RENDER_THROTTLE_MS);
      }),
      client.onProgress(WorkDoneProgress.type, token, (v) => {
        if ("message" in v && v.message) this.post({ type: "progress", id, message: v.message });
        else if (v.kind === "begin" && v.title) this.post({ type: "progress", id, message: v.title });
      }),
    ];
    const params: AskParams = { question };
    if (this.conversationId) params.conversationId = this.conversationId;
    if (context.uri) params.uri = context.uri;
    if (context.line !== undefined) params.line = context.line;
    if (context.selection) params.selection = context.selection;
    if (offline) params.offline = true;
    try {
      const request = client.sendRequest(
        ExecuteCommandRequest.type,
        { command: COMMANDS.ask, arguments: [params], workDoneToken: token },
        cts.token,
      ) as Promise<AskResult | null>;
      // Cancel answers at once: $/cancelRequest goes to the server, and whatever it still
      // sends for this question is ignored (the server may be blocked in a network call).
      const cancelled = new Promise<never>((_, reject) =>
        subs.push(cts.token.onCancellationRequested(() => reject(new Error("cancelled")))),
      );
      request.catch(() => undefined);
      const result = await Promise.race([request, cancelled]);
      if (!result) throw new Error("the server returned no answer");
      if (result.conversationId) this.conversationId = result.conversationId;
      const citations = result.citations ?? [];
      this.citations.set(id, citations);
      this.post({
        type: "turnEnd",
        id,
        html: renderAnswer(result.answer ?? text, citations),
        citations: citations.map((c, index) => ({
          index,
          label: citationLabel(c),
          verified: !!c.verified,
          openable: !!citationTarget(c),
        })),
        mode: result.mode,
        notFound: !!result.not_found,
        usage: formatUsage(result.usage),
        note: result.note ?? "",
      });
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      const cancelled = cts.token.isCancellationRequested;
      this.post({ type: "turnError", id, message: cancelled ? "Cancelled." : `The question failed: ${msg}`, partial: text ? renderMarkdown(text) : "" });
      if (!cancelled) this.manager.log.error(`metaflowExpert.ask failed: ${msg}`);
    } finally {
      if (renderTimer) clearTimeout(renderTimer);
      subs.forEach((s) => s.dispose());
      release();
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.channel.lost();
    this.unanswered.forEach((c) => c.cancel());
    AskPanel.current = undefined;
    this.disposables.forEach((d) => d.dispose());
    this.panel.dispose();
  }
}
