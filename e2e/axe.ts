import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";

/* axe-core in a page: the audit every browser test of a page runs (serious and critical only). */

const axeSource = readFileSync(
  createRequire(import.meta.url).resolve("axe-core/axe.min.js"),
  "utf8",
);

export interface Violation {
  id: string;
  impact: string;
  help: string;
  nodes: string[];
}

/**
 * Runs axe-core in the page and returns its serious and critical violations: of the whole
 * document, or only of the elements `within` selects (a page's own content, say).
 */
export async function audit(page: Page, within?: string): Promise<Violation[]> {
  // Let transitions finish so colours are measured at rest.
  await page.waitForTimeout(250);
  // Evaluated through DevTools rather than added as an inline <script>, which the
  // Content-Security-Policy (rightly) refuses.
  await page.evaluate(axeSource);
  // The part of axe-core's result this reads.
  type AxeResult = {
    violations: {
      id: string;
      impact: string;
      help: string;
      nodes: { target: string[]; failureSummary: string }[];
    }[];
  };
  return page.evaluate(async (within) => {
    const axe = (window as unknown as { axe: { run: (...a: unknown[]) => Promise<AxeResult> } })
      .axe;
    const result = await axe.run(within ? { include: [within] } : document, {
      resultTypes: ["violations"],
    });
    return result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.slice(0, 3).map((n) => `${n.target.join(" ")} :: ${n.failureSummary}`),
      }));
  }, within);
}
