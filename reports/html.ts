/**
 * Safe HTML building blocks for the report. Pure.
 */

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escape text for an HTML text node or a quoted attribute value. */
export function escapeHtml(text: unknown): string {
  return String(text).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/**
 * JSON for a `<script type="application/json">` element: `<`, `>` and `&` become \u003c, \u003e, \u0026
 * (valid JSON escapes), so no string in the data can close the element (`</script>`) or open a comment
 * (`<!--`); U+2028/U+2029 are escaped too. `JSON.parse(element.textContent)` gives the data back unchanged.
 */
export function jsonForScript(data: unknown): string {
  return JSON.stringify(data)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/**
 * A JavaScript bundle made safe to inline in a `<script>` element: the sequences that end the element or
 * change how the HTML parser reads it are broken with a backslash, which JavaScript ignores inside strings,
 * regular expressions and comments (the only places they can occur in valid code).
 */
export function scriptForInline(source: string): string {
  return source
    .replace(/<\/(script)/gi, "<\\/$1")
    .replace(/<!--/g, "<\\!--")
    .replace(/<(script)/gi, "\\x3c$1");
}

/** A table: header cells and rows of already-escaped HTML cells. */
export function table(headers: string[], rows: string[][], className = "figures"): string {
  const head = headers.map((h) => `<th scope="col">${h}</th>`).join("");
  const body = rows.map(
    (r) => `<tr>${r.map((c, i) => (i === 0 ? `<th scope="row">${c}</th>` : `<td>${c}</td>`)).join("")}</tr>`,
  );
  return `<div class="table-wrap"><table class="${className}"><thead><tr>${head}</tr></thead><tbody>${body.join("")}</tbody></table></div>`;
}
