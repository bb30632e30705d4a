import axe from 'axe-core';

/**
 * Serious and critical axe violations in `root`. jsdom computes no layout or colours, so
 * colour contrast is checked in a real browser instead (see the report); the rest runs here.
 */
export async function seriousViolations(root: Element = document.body): Promise<string[]> {
  const result = await axe.run(root, {
    resultTypes: ['violations'],
    rules: { 'color-contrast': { enabled: false } },
  });
  return result.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
}
