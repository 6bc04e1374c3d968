// axe-core (arg: the tags to run): violations and incomplete with their nodes, passes, inapplicable.
// A complete function, not a body: axe.py runs it as it is, with MAX_NODES replaced.
async (tags) => {
  const r = await window.axe.run(document, {runOnly: {type: 'tag', values: tags},
                                            resultTypes: ['violations', 'incomplete']});
  const slim = (rule, keepNodes) => ({
    id: rule.id, impact: rule.impact, help: rule.help, helpUrl: rule.helpUrl, tags: rule.tags,
    nodeCount: rule.nodes.length,
    nodes: keepNodes ? rule.nodes.slice(0, MAX_NODES).map(n => ({
      target: n.target.map(t => Array.isArray(t) ? t.join(' >>> ') : String(t)).join(' '),
      html: n.html, summary: n.failureSummary || (n.any.concat(n.all, n.none).map(c => c.message).filter(Boolean).join('; '))
    })) : []
  });
  return {violations: r.violations.map(v => slim(v, true)),
          incomplete: r.incomplete.map(v => slim(v, true)),
          passes: r.passes.map(v => slim(v, false)),
          inapplicable: r.inapplicable.map(v => v.id)};
}
