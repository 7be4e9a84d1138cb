import type { StatusView } from "../domain/status-page.ts";
import type { SubscriberPage } from "../engine/status-updates.ts";

/*
 * The requester's status page as server-rendered HTML: one small document, no script, no web
 * app bundle, readable on any phone. Every value is escaped; the content itself comes from
 * domain/status-page.ts, which only ever reads what may be shown.
 */

/** Escapes text for HTML element content and double-quoted attributes. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

const style = `
  body { font: 16px/1.5 system-ui, sans-serif; margin: 0; color: #1b1f24; background: #f6f7f9; }
  main { max-width: 40rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
  h1 { font-size: 1.35rem; margin: 0 0 .25rem; }
  .key { color: #57606a; font-size: .9rem; }
  .headline { font-size: 1.15rem; background: #fff; border-left: 4px solid #1c7ed6; padding: .75rem 1rem; margin: 1rem 0; }
  ol { padding-left: 1.25rem; }
  li { margin: .25rem 0; }
  li.done { color: #57606a; }
  li.current { font-weight: 600; }
  .muted { color: #57606a; font-size: .9rem; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
  dt { color: #57606a; }
  dd { margin: 0; }
  form { margin: 1.5rem 0; }
  input[type=email] { font: inherit; padding: .35rem .5rem; min-width: 16rem; max-width: 100%; }
  button { font: inherit; padding: .35rem .9rem; }
  @media (prefers-color-scheme: dark) {
    body { background: #15181c; color: #e6e8eb; }
    .headline { background: #1f242a; }
    .key, .muted, li.done, dt { color: #9aa4ae; }
  }`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style>${style}</style>
</head>
<body><main>
${body}
</main></body>
</html>
`;
}

const stepWords = { done: "done", current: "now", upcoming: "to come" } as const;

/** The page for a status view; `subscribe`: the form asking for e-mail updates posts there. */
export function renderStatusPage(
  v: StatusView,
  { subscribe }: { subscribe?: string } = {},
): string {
  return page(
    `${v.key}: ${v.title}`,
    `${statusBody(v)}${subscribe ? subscribeForm(subscribe) : ""}`,
  );
}

function subscribeForm(action: string): string {
  return `
<form method="post" action="${escapeHtml(action)}">
<label for="email">Get an e-mail when this moves on</label><br>
<input id="email" name="email" type="email" required maxlength="254" autocomplete="email">
<button type="submit">Send me updates</button>
<p class="muted">We send one mail to confirm first; every update has a link to stop them.</p>
</form>`;
}

/** A short page of one message (a form's answer). */
export function renderNoticePage(title: string, text: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(text)}</p>`);
}

/** A subscriber's own page: the status, and confirming or stopping their updates. */
export function renderSubscriberPage(p: SubscriberPage, base: string): string {
  const action = p.unsubscribed
    ? `<p class="muted">You get no more mails about this.</p>`
    : p.confirmed
      ? `<form method="post" action="${escapeHtml(`${base}/unsubscribe`)}"><p class="muted">You get an e-mail when this moves on.</p><button type="submit">Stop these mails</button></form>`
      : `<form method="post" action="${escapeHtml(`${base}/confirm`)}"><p>Do you want an e-mail when this moves on?</p><button type="submit">Yes, send me updates</button></form>`;
  return page(`${p.view.key}: ${p.view.title}`, `${statusBody(p.view)}\n${action}`);
}

/** The unsubscribe link's page: one button, so a mail scanner opening the link changes nothing. */
export function renderUnsubscribePage(p: SubscriberPage, base: string): string {
  return page(
    `${p.view.key}: stop updates`,
    p.unsubscribed
      ? `<h1>No more mails</h1>\n<p>You get no more mails about “${escapeHtml(p.view.title)}”.</p>`
      : `<h1>Stop mails about “${escapeHtml(p.view.title)}”?</h1>
<form method="post" action="${escapeHtml(`${base}/unsubscribe`)}"><button type="submit">Stop these mails</button></form>`,
  );
}

function statusBody(v: StatusView): string {
  const steps = v.steps
    .map(
      (s) =>
        `<li class="${s.status}"${s.status === "current" ? ' aria-current="step"' : ""}>${escapeHtml(s.name)} <span class="muted">— ${escapeHtml(s.team)}, ${stepWords[s.status]}</span></li>`,
    )
    .join("\n");
  const fields =
    v.fields.length > 0
      ? `<h2>Details</h2>\n<dl>\n${v.fields.map((f) => `<dt>${escapeHtml(f.label)}</dt><dd>${escapeHtml(f.value)}</dd>`).join("\n")}\n</dl>`
      : "";
  return `<p class="key">${escapeHtml(v.key)}</p>
<h1>${escapeHtml(v.title)}</h1>
<p class="headline">${escapeHtml(v.headline)}</p>
${v.expected ? `<p><strong>${escapeHtml(v.expected)}.</strong></p>` : ""}
<h2>Steps</h2>
<ol>
${steps}
</ol>
${fields}
<p class="muted">${escapeHtml(v.updated)}. This page updates as the work moves; reload it to see the latest.</p>`;
}

/** The page for a link that does not exist, was revoked or expired. */
export function renderMissingStatusPage(): string {
  return page(
    "Status link not found",
    `<h1>This status link does not work</h1>
<p>It may have been withdrawn or have expired. Ask the team that sent it for a new one.</p>`,
  );
}
