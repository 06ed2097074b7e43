'use strict';
// Did the analysis find what the scenario planted? Read from trace-analyze's JSON report only —
// the runner's own knowledge of the scenario is what is being checked, never used as evidence.

function checkoutEndpoint(report) {
  return report.endpoints.find((e) => e.origin === 'root' && /checkout/.test(e.name) && e.service === 'gateway');
}

/** Top component of slow checkouts, ignoring none: network time counts too. */
function topComponent(endpoint) {
  if (!endpoint || endpoint.components.length === 0) return undefined;
  return [...endpoint.components].sort((a, b) => b.share - a.share)[0];
}

function verdict(scenario, report) {
  const lines = [];
  const ok = (pass, text) => lines.push({ pass, text });
  const exp = scenario.expect;
  const checkout = checkoutEndpoint(report);
  if (exp.checkoutTop) {
    const top = topComponent(checkout);
    ok(
      Boolean(top && top.service === exp.checkoutTop),
      top
        ? `slowest checkouts: top contributor is "${top.component}" (${Math.round(top.share * 100)}% of their time)`
        : 'no checkout endpoint in the report',
    );
  }
  if (exp.slowTier) {
    const a = checkout?.slow_attributes.find((x) => x.attribute.endsWith('customer.tier') && x.value === exp.slowTier);
    ok(
      Boolean(a),
      a
        ? `slow checkouts are ${Math.round(a.slow_fraction * 100)}% ${a.value}-tier customers (${Math.round(a.baseline_fraction * 100)}% of the others)`
        : `customer.tier=${exp.slowTier} not reported as over-represented in slow checkouts`,
    );
  }
  if (exp.cascadeDependency) {
    const c = report.findings.find((f) => f.type === 'cascade');
    ok(Boolean(c && c.dependency === exp.cascadeDependency), c ? `cascade root cause: ${c.dependency}` : 'no cascade finding');
    const v = c?.victims?.find((x) => x.endpoint.includes(exp.victim));
    ok(
      Boolean(v),
      v
        ? `victim: ${v.endpoint} ${Math.round(v.cold_ms)} ms → ${Math.round(v.hot_ms)} ms, ${Math.round(v.wait_fraction * 100)}% of it waiting for a DB connection`
        : `no victim endpoint matching "${exp.victim}"`,
    );
  }
  return lines;
}

module.exports = { verdict, checkoutEndpoint, topComponent };
