/** The webview side of the message channel (acquireVsCodeApi may be called once only). */

interface VsCodeApi {
  postMessage(message: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export const vscodeApi: VsCodeApi = acquireVsCodeApi();

export function byId<T extends HTMLElement>(id: string): T {
  return document.getElementById(id) as T;
}
