import assert from "node:assert/strict";
import { test } from "node:test";
import { formatUsage, renderAnswer } from "../src/pure/answer";
import { citationLabel, citationTarget, linkCitationsInHtml, readOnlyUri } from "../src/pure/citations";
import type { Citation } from "../src/pure/protocol";

const batch: Citation = {
  path: "metaflow/plugins/aws/batch/batch_decorator.py",
  line: 40,
  end_line: 120,
  verified: true,
  uri: "file:///site/metaflow/plugins/aws/batch/batch_decorator.py",
};
const retry: Citation = { path: "metaflow/plugins/retry_decorator.py", line: 12, verified: false, uri: "file:///site/metaflow/plugins/retry_decorator.py" };

test("labels and targets: 1-based citation lines become 0-based selections on a read-only URI", () => {
  assert.equal(citationLabel(batch), "metaflow/plugins/aws/batch/batch_decorator.py:40-120");
  assert.equal(citationLabel(retry), "metaflow/plugins/retry_decorator.py:12");
  assert.deepEqual(citationTarget(batch), {
    uri: "metaflow-source:/site/metaflow/plugins/aws/batch/batch_decorator.py",
    startLine: 39,
    endLine: 119,
    verified: true,
    label: "metaflow/plugins/aws/batch/batch_decorator.py:40-120",
  });
  assert.equal(citationTarget({ ...retry, uri: null }), null);
  assert.equal(readOnlyUri("untitled:x"), "untitled:x");
});

test("mentions of cited path:line in the answer become links; others stay text", () => {
  const html = renderAnswer(
    "See `metaflow/plugins/aws/batch/batch_decorator.py:40` and metaflow/plugins/retry_decorator.py:12, " +
      "not metaflow/plugins/retry_decorator.py:120 or other.py:3.",
    [batch, retry],
  );
  assert.match(html, /<code><a href="#" class="cite" data-cite="0"[^>]*>metaflow\/plugins\/aws\/batch\/batch_decorator\.py:40<\/a><\/code>/);
  assert.match(html, /<a href="#" class="cite unverified" data-cite="1"[^>]*>metaflow\/plugins\/retry_decorator\.py:12<\/a>/);
  assert.doesNotMatch(html, /data-cite="1"[^>]*>metaflow\/plugins\/retry_decorator\.py:120/);
  assert.match(html, /retry_decorator\.py:120 or other\.py:3/);
});

test("the longest label wins and text inside tags or links is untouched", () => {
  const html = linkCitationsInHtml(
    '<p title="metaflow/plugins/retry_decorator.py:12">x</p><a href="#">metaflow/plugins/retry_decorator.py:12</a>' +
      "<p>metaflow/plugins/aws/batch/batch_decorator.py:40-120</p>",
    [batch, retry],
  );
  assert.match(html, /<p title="metaflow\/plugins\/retry_decorator\.py:12">x<\/p>/);
  assert.equal((html.match(/data-cite/g) ?? []).length, 1);
  assert.match(html, /data-cite="0"[^>]*>metaflow\/plugins\/aws\/batch\/batch_decorator\.py:40-120</);
});

test("raw HTML in an answer is escaped, code blocks survive", () => {
  const html = renderAnswer('<script>alert(1)</script>\n\n```python\n@batch(cpu=2)\n```\n[x](javascript:alert(1))', []);
  assert.doesNotMatch(html, /<script>/);
  assert.match(html, /&lt;script&gt;/);
  assert.match(html, /<pre><code class="language-python">@batch\(cpu=2\)/);
  assert.doesNotMatch(html, /href="javascript/);
});

test("usage line", () => {
  assert.equal(formatUsage({ input_tokens: 1234, output_tokens: 56, cache_read_tokens: 0, cost_usd: 0.01234 }), "in 1,234 · out 56 tokens · $0.0123");
  assert.equal(formatUsage({ input_tokens: 1, output_tokens: 2, cache_read_tokens: 3, cost_usd: null }), "in 1 · out 2 · cache 3 tokens");
  assert.equal(formatUsage(null), "");
  assert.equal(formatUsage({ input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cost_usd: 0 }), "no API tokens used");
});
