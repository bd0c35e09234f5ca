import type { AccessProofResult, Cloud, SecurityReport, Status } from './model';

/** The private path per cloud, as a chain of hops (caller first). */
export const PRIVATE_PATHS: Record<Cloud, string[]> = {
  aws: ['Caller (SSO, SigV4)', 'execute-api VPC endpoint', 'Private REST API + WAF', 'Model-invoker Lambda (isolated subnets)', 'bedrock-runtime VPC endpoint', 'Bedrock guardrail', 'Allowlisted model'],
  azure: ['Caller (Entra ID token)', 'VNet private endpoint', 'Private DNS zone', 'AI Services / Azure OpenAI account (public access off)', 'Content filter (RAI policy)', 'Pinned model deployment'],
  gcp: ['Caller (Google group IAM)', 'VPC (egress denied)', 'Private DNS googleapis.com', 'Private Service Connect endpoint', 'Model Armor floor setting', 'Vertex AI (CMEK)'],
};

const CLOUD_NAMES: Record<Cloud, string> = { aws: 'AWS', azure: 'Azure', gcp: 'Google Cloud' };
const ICON: Record<Status, string> = { pass: 'PASS', fail: 'FAIL', 'not applicable': 'N/A' };

const mdCell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

const PROOF_INTRO =
  'Each request below was evaluated from the synthesized templates and the organisation guard with an offline IAM evaluator (@cloud-copilot/iam-simulate), through every layer AWS evaluates for it: the SCP, the identity policies, the resource policy, the VPC endpoint policy and the key policy. The build fails when a decision differs from the one expected.';

/** The proofs grouped by target, in the order they were evaluated. */
function byTarget(proofs: readonly AccessProofResult[]): Array<[string, AccessProofResult[]]> {
  const groups = new Map<string, AccessProofResult[]>();
  for (const p of proofs) groups.set(p.target, [...(groups.get(p.target) ?? []), p]);
  return [...groups];
}

function mermaid(cloud: Cloud): string {
  const hops = PRIVATE_PATHS[cloud];
  const lines = hops.map((h, i) => `  n${i}["${h.replace(/"/g, "'")}"]`);
  const edges = hops.slice(1).map((_, i) => `  n${i} --> n${i + 1}`);
  return ['```mermaid', 'flowchart LR', ...lines, ...edges, '```'].join('\n');
}

/** The report as Markdown (reads well on a code host, Mermaid diagrams included). */
export function renderMarkdown(report: SecurityReport): string {
  const out: string[] = [];
  const title = (id: string) => report.controls.find((c) => c.id === id)?.title ?? id;
  out.push('# Security evidence report', '', `Generated ${report.generatedAt} from the synthesized templates and offline plans (nothing in it is written by hand).`, '');
  out.push('## Summary', '', `| control | ${report.clouds.map((c) => CLOUD_NAMES[c.cloud]).join(' | ')} |`, `| --- | ${report.clouds.map(() => '---').join(' | ')} |`);
  for (const control of report.controls) {
    out.push(`| ${control.title} | ${report.clouds.map((c) => ICON[c.controls.find((r) => r.control === control.id)?.status ?? 'not applicable']).join(' | ')} |`);
  }
  out.push('');
  for (const section of report.clouds) {
    out.push(`## ${CLOUD_NAMES[section.cloud]}`, '', `Computed from: ${section.sources.join(', ')}.`, '', '### Private path', '', mermaid(section.cloud), '', '### Controls', '');
    for (const r of section.controls) {
      out.push(`#### ${ICON[r.status]}: ${title(r.control)}`, '', report.controls.find((c) => c.id === r.control)?.requirement ?? '', '');
      if (r.note) out.push(`_${r.note}_`, '');
      if (r.evidence.length) {
        out.push('| ok | resource | type | property | value |', '| --- | --- | --- | --- | --- |');
        for (const e of r.evidence) out.push(`| ${e.ok ? 'yes' : '**no**'} | ${mdCell(e.resource)} | ${mdCell(e.type)} | ${mdCell(e.property)} | ${mdCell(e.value)} |`);
        out.push('');
      }
    }
    if (section.proofs) {
      out.push('### Who can do what, proven', '', PROOF_INTRO, '');
      for (const [target, proofs] of byTarget(section.proofs)) {
        out.push(`#### Target ${target}`, '', '| ok | scenario | who | request | expected | evaluated | deciding statement | why |', '| --- | --- | --- | --- | --- | --- | --- | --- |');
        for (const p of proofs) {
          out.push(`| ${p.ok ? 'yes' : '**no**'} | ${mdCell(p.scenario)} | ${mdCell(p.who)} | ${mdCell(p.request)} | ${p.expected} | ${mdCell(p.evaluated)} | ${mdCell(p.deciding.join('; '))} | ${mdCell(p.why)} |`);
        }
        out.push('');
      }
    }
    out.push('### Outputs for application teams', '', '| output | meaning |', '| --- | --- |');
    for (const [k, v] of Object.entries(section.outputs)) out.push(`| ${mdCell(k)} | ${mdCell(v)} |`);
    out.push('');
  }
  out.push('## Rule packs', '', '| cloud | pack | unacknowledged findings | acknowledged | details |', '| --- | --- | --- | --- | --- |');
  for (const p of report.rulePacks) out.push(`| ${CLOUD_NAMES[p.cloud]} | ${p.pack} | ${p.findings} | ${p.acknowledged} | ${mdCell(p.details.join('; ') || '-')} |`);
  out.push('', `## Acknowledgements (${report.acknowledgements.length})`, '', '| cloud | pack | rule | construct | reason |', '| --- | --- | --- | --- | --- |');
  for (const a of report.acknowledgements) out.push(`| ${CLOUD_NAMES[a.cloud]} | ${a.pack} | ${mdCell(a.rule)} | ${mdCell(a.construct)} | ${mdCell(a.reason)} |`);
  out.push('');
  return out.join('\n');
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The private path as an inline SVG: boxes and arrows, no script needed. */
export function pathSvg(cloud: Cloud): string {
  const hops = PRIVATE_PATHS[cloud];
  const w = 150;
  const gap = 28;
  const h = 64;
  const width = hops.length * w + (hops.length - 1) * gap + 2;
  const boxes = hops.map((hop, i) => {
    const x = 1 + i * (w + gap);
    const words = hop.split(' ');
    const lines: string[] = [];
    for (const word of words) {
      const last = lines[lines.length - 1];
      if (last !== undefined && (last + ' ' + word).length <= 22) lines[lines.length - 1] = `${last} ${word}`;
      else lines.push(word);
    }
    const text = lines.map((l, j) => `<tspan x="${x + w / 2}" dy="${j === 0 ? -(lines.length - 1) * 7 : 14}">${esc(l)}</tspan>`).join('');
    const arrow = i < hops.length - 1 ? `<path d="M${x + w} ${h / 2 + 1} h${gap - 6}" class="arrow" marker-end="url(#head)"/>` : '';
    return `<rect x="${x}" y="1" width="${w}" height="${h}" rx="8"/><text x="${x + w / 2}" y="${h / 2 + 5}">${text}</text>${arrow}`;
  });
  return `<svg role="img" aria-label="${esc(hops.join(' to '))}" viewBox="0 0 ${width} ${h + 2}" width="100%"><defs><marker id="head" markerWidth="8" markerHeight="8" refX="6" refY="4" orient="auto"><path d="M0,0 L8,4 L0,8 z"/></marker></defs>${boxes.join('')}</svg>`;
}

/** The report as one self-contained HTML page (inline CSS and SVG, no scripts, no external files). */
export function renderHtml(report: SecurityReport): string {
  const title = (id: string) => report.controls.find((c) => c.id === id)?.title ?? id;
  const badge = (s: Status) => `<span class="badge ${s === 'not applicable' ? 'na' : s}">${ICON[s]}</span>`;
  const summary = report.controls
    .map((c) => `<tr><td>${esc(c.title)}</td>${report.clouds.map((s) => `<td>${badge(s.controls.find((r) => r.control === c.id)?.status ?? 'not applicable')}</td>`).join('')}</tr>`)
    .join('');
  const sections = report.clouds
    .map((section) => {
      const controls = section.controls
        .map((r) => {
          const rows = r.evidence
            .map((e) => `<tr class="${e.ok ? '' : 'bad'}"><td>${e.ok ? 'yes' : 'no'}</td><td>${esc(e.resource)}</td><td>${esc(e.type)}</td><td>${esc(e.property)}</td><td><code>${esc(e.value)}</code></td></tr>`)
            .join('');
          return `<details${r.status === 'fail' ? ' open' : ''}><summary>${badge(r.status)} ${esc(title(r.control))}</summary><p>${esc(report.controls.find((c) => c.id === r.control)?.requirement ?? '')}</p>${r.note ? `<p class="note">${esc(r.note)}</p>` : ''}${rows ? `<table><thead><tr><th>ok</th><th>resource</th><th>type</th><th>property</th><th>value</th></tr></thead><tbody>${rows}</tbody></table>` : ''}</details>`;
        })
        .join('');
      const outputs = Object.entries(section.outputs)
        .map(([k, v]) => `<tr><td><code>${esc(k)}</code></td><td>${esc(v)}</td></tr>`)
        .join('');
      const proofs = section.proofs
        ? `<h3>Who can do what, proven</h3><p>${esc(PROOF_INTRO)}</p>${byTarget(section.proofs)
            .map(
              ([target, rows]) =>
                `<details${rows.some((p) => !p.ok) ? ' open' : ''}><summary>Target ${esc(target)}: ${rows.filter((p) => p.ok).length} of ${rows.length} as expected</summary><table><thead><tr><th>ok</th><th>scenario</th><th>who</th><th>request</th><th>expected</th><th>evaluated</th><th>deciding statement</th><th>why</th></tr></thead><tbody>${rows
                  .map(
                    (p) =>
                      `<tr class="${p.ok ? '' : 'bad'}"><td>${p.ok ? 'yes' : 'no'}</td><td><code>${esc(p.scenario)}</code></td><td>${esc(p.who)}</td><td><code>${esc(p.request)}</code></td><td>${p.expected}</td><td>${esc(p.evaluated)}</td><td><code>${esc(p.deciding.join('; '))}</code></td><td>${esc(p.why)}</td></tr>`,
                  )
                  .join('')}</tbody></table></details>`,
            )
            .join('')}`
        : '';
      return `<section><h2>${CLOUD_NAMES[section.cloud]}</h2><p class="src">Computed from: ${esc(section.sources.join(', '))}</p><h3>Private path</h3>${pathSvg(section.cloud)}<h3>Controls</h3>${controls}${proofs}<h3>Outputs for application teams</h3><table><tbody>${outputs}</tbody></table></section>`;
    })
    .join('');
  const packs = report.rulePacks
    .map((p) => `<tr class="${p.findings ? 'bad' : ''}"><td>${CLOUD_NAMES[p.cloud]}</td><td>${esc(p.pack)}</td><td>${p.findings}</td><td>${p.acknowledged}</td><td>${esc(p.details.join('; ') || '-')}</td></tr>`)
    .join('');
  const acks = report.acknowledgements
    .map((a) => `<tr><td>${CLOUD_NAMES[a.cloud]}</td><td>${esc(a.pack)}</td><td><code>${esc(a.rule)}</code></td><td><code>${esc(a.construct)}</code></td><td>${esc(a.reason)}</td></tr>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Security evidence report</title>
<style>
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1200px;padding:24px;color:#1b1f24;background:#fff}
h1{margin-top:0}h2{border-bottom:2px solid #d0d7de;padding-bottom:4px;margin-top:40px}
table{border-collapse:collapse;width:100%;margin:8px 0 16px;font-size:13px}th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa}tr.bad td{background:#ffebe9}code{font:12px ui-monospace,monospace;word-break:break-all}
.badge{display:inline-block;min-width:44px;text-align:center;border-radius:10px;padding:1px 8px;font-weight:600;font-size:12px}
.pass{background:#dafbe1;color:#116329}.fail{background:#ffebe9;color:#a40e26}.na{background:#eaeef2;color:#57606a}
details{border:1px solid #d0d7de;border-radius:6px;margin:8px 0;padding:6px 10px}summary{cursor:pointer;font-weight:600}
.note{color:#57606a;font-style:italic}.src{color:#57606a}
svg rect{fill:#f6f8fa;stroke:#57606a}svg text{font:12px system-ui,sans-serif;text-anchor:middle;fill:#1b1f24}svg .arrow{stroke:#57606a;stroke-width:2}svg marker path{fill:#57606a}
</style></head><body>
<h1>Security evidence report</h1>
<p>Generated ${esc(report.generatedAt)} from the synthesized templates and offline plans; every status and piece of evidence below is computed, not written by hand.</p>
<h2>Summary</h2>
<table><thead><tr><th>control</th>${report.clouds.map((c) => `<th>${CLOUD_NAMES[c.cloud]}</th>`).join('')}</tr></thead><tbody>${summary}</tbody></table>
${sections}
<h2>Rule packs</h2>
<table><thead><tr><th>cloud</th><th>pack</th><th>unacknowledged findings</th><th>acknowledged</th><th>details</th></tr></thead><tbody>${packs}</tbody></table>
<h2>Acknowledgements (${report.acknowledgements.length})</h2>
<table><thead><tr><th>cloud</th><th>pack</th><th>rule</th><th>construct</th><th>reason</th></tr></thead><tbody>${acks}</tbody></table>
</body></html>
`;
}
