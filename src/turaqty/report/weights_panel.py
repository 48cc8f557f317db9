"""Weights people can change in ``report.html``: a slider per node (pillar) and per
indicator; moving one recomputes every index, rank and level in the browser with the
engine's rules (weighted means renormalised over the children with a value, the node's
aggregation and its ``min_share``, each node's availability threshold, ranks of values rounded to
9 decimals), then repaints the ranking table, the map, its tooltips and legends. A reset
button restores the method's weights; the chosen weights are shown as a method file, ready
to download and to use with ``turaqty assess --method``.

The page holds the scores the assessment computed (the weights do not change them), so the
browser's indices equal ``assess()`` with the same weights (to 1e-9, tests/test_weights_panel.py).

Example
-------
>>> from turaqty.engine.assessment import assess
>>> block = weights_panel(assess(lang="kk"))
>>> block.startswith('<section id="weights">'), 'id="weights-data"' in block
(True, True)
"""
from __future__ import annotations

import html
import json

import numpy as np

from turaqty.i18n import t

SLIDER_MAX = 4.0  # a weight may go up to 4 × the largest nominal weight of its siblings


def panel_data(a) -> dict:
    """What the browser needs to recompute the indices (JSON-ready; NaN as null)."""
    from turaqty.core.classify import LEVELS
    from turaqty.report.html import LEVEL_COLOURS, PALETTE
    from turaqty.report.scope import ranking_columns

    fw, lang, codes = a.framework, a.lang, a.dataset.indicators
    r = a.arrays
    tree = r.tree  # the tree the assessment was computed on

    def plain(x):
        return [None if v != v else float(v) for v in x]

    return {
        "lang": lang, "units": list(a.dataset.units), "names": a.indices["name"].tolist(),
        "codes": list(codes), "codeNames": [fw.by_code[c].name(lang) for c in codes],
        "nodes": list(fw.index_columns), "nodeNames": [fw.pillar_name(n, lang) for n in fw.index_columns],
        "shown": [fw.index_columns.index(c) for c in ranking_columns(fw)],  # the ranking's column order
        "indParent": tree.indicator_parent.tolist(), "nodeParent": tree.node_parent.tolist(),
        "nodeLevel": tree.node_level.tolist(),
        "aggregation": [[name, {k: v for k, v in params.items()}] for name, params in tree.aggregation],
        "indWeight": tree.indicator_weight.tolist(), "nodeWeight": tree.node_weight.tolist(),
        "included": r.included.tolist(), "expected": plain(r.expected),
        "availability": np.broadcast_to(np.asarray(tree.availability, dtype=np.float64),
                                        (len(fw.index_columns),)).tolist(),
        "bands": [None if np.isnan(b).any() else b.tolist() for b in tree.bands],
        "scores": [plain(row) for row in r.scores],
        "levels": {lv: t(f"level.{lv}", lang) for lv in LEVELS}, "levelColours": LEVEL_COLOURS,
        "palette": PALETTE, "rankWord": t("col.rank_integral", lang).lower(),
        "method": a.method.to_dict(), "decimalComma": lang in ("kk", "ru"),
    }


def weights_panel(a, with_map: bool = True) -> str:
    """The panel's HTML and script (the data in a JSON block; every text escaped); its note
    names the map only ``with_map``."""
    lang = a.lang
    data = panel_data(a)
    E = html.escape

    def slider(kind: str, k: int, label: str, weight: float, top: float) -> str:
        return (f'<label class="wslider"><span>{E(label)}</span><input type="range" data-kind="{kind}" '
                f'data-k="{k}" min="0" max="{top:g}" step="0.01" value="{weight:g}">'
                f'<output>{weight:g}</output></label>')

    groups = []
    for k in range(len(data["nodes"]) - 1):  # every node but the root
        parent = data["nodeParent"][k]
        siblings = [w for j, w in enumerate(data["nodeWeight"]) if data["nodeParent"][j] == parent]
        rows = [slider("node", k, data["nodeNames"][k], data["nodeWeight"][k], SLIDER_MAX * max(siblings))]
        members = [j for j, p in enumerate(data["indParent"]) if p == k and data["included"][j]]
        if members:
            top = SLIDER_MAX * max(data["indWeight"][j] for j in members)
            inner = "".join(slider("indicator", j, f"{data['codes'][j]} {data['codeNames'][j]}",
                                   data["indWeight"][j], top) for j in members)
            rows.append(f"<details><summary>{E(t('weights.indicators', lang))}</summary>{inner}</details>")
        groups.append(f'<div class="wgroup">{"".join(rows)}</div>')
    payload = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    return f"""<section id="weights"><h2>{E(t("weights.title", lang))}</h2>
<p class="small">{E(t("weights.note" if with_map else "fwreport.weights_note", lang))}</p>
<style>{STYLE}</style>
<div class="wgroups">{"".join(groups)}</div>
<p><button type="button" id="weights-reset">{E(t("weights.reset", lang))}</button>
<a id="weights-download" download="method-weights.json" href="#">{E(t("weights.download", lang))}</a>
<span id="weights-status" class="small"></span></p>
<details id="weights-file"><summary>{E(t("weights.method_file", lang))}</summary>
<pre id="weights-method"></pre></details>
<script type="application/json" id="weights-data">{payload}</script><script>{SCRIPT}</script></section>"""


STYLE = """
.wgroups{display:grid;grid-template-columns:repeat(auto-fill,minmax(340px,1fr));gap:.8em}
.wgroup{border:1px solid var(--line);border-radius:.5em;padding:.5em .8em}
.wslider{display:grid;grid-template-columns:1fr 9em 3em;gap:.5em;align-items:center;font-size:.85em}
.wslider output{text-align:right;font-variant-numeric:tabular-nums}.wgroup>.wslider{font-weight:600}
"""

SCRIPT = r"""
(function(){
  var D=JSON.parse(document.getElementById('weights-data').textContent);
  var m=D.codes.length,P=D.nodes.length,n=D.units.length;
  var indW=D.indWeight.slice(),nodeW=D.nodeWeight.slice();
  function mean(name,params,xs,ws){
    // the registry's aggregation of one unit's children (xs: values or null, ws: weights > 0)
    var sw=0,swAll=0,have=0,total=0,count=xs.length,bad=false;
    for(var i=0;i<xs.length;i++){swAll+=ws[i];var x=xs[i];if(x===null)continue;have++;sw+=ws[i];
      if(!(ws[i]>0))continue;  // a child of weight 0 counts towards availability only
      if(name==='geometric'){if(!(x>0))bad=true;total+=ws[i]*Math.log(x);}
      else if(name==='harmonic'){if(x===0)bad=true;total+=ws[i]/x;}
      else if(name==='generalised'){total+=ws[i]*Math.pow(x,params.p);}
      else total+=ws[i]*x;}
    var share=(params.share_by==='weight')?sw/swAll:have/count,value=null;
    if(bad||!(sw>0)||share<(params.min_share||0))value=null;
    else if(name==='sum')value=have===count?total:null;
    else if(name==='arithmetic')value=total/sw;
    else if(name==='geometric')value=Math.exp(total/sw);
    else if(name==='harmonic')value=sw/total;
    else if(name==='generalised')value=Math.pow(total/sw,1/params.p);
    return [value,share];  // the share of children with a value (by count or by weight)
  }
  function compute(){
    var out=[];
    var levels=Array.from(new Set(D.nodeLevel)).sort(function(a,b){return a-b;});
    for(var u=0;u<n;u++){
      var v=new Array(P).fill(null);
      levels.forEach(function(level){
        for(var k=0;k<P;k++){if(D.nodeLevel[k]!==level)continue;
          var xs=[],ws=[];
          for(var j=0;j<m;j++){if(D.indParent[j]===k&&D.included[j]){xs.push(D.scores[u][j]);ws.push(indW[j]);
          }}
          for(var c=0;c<P;c++){if(D.nodeParent[c]===k){xs.push(v[c]);ws.push(nodeW[c]);}}
          var agg=D.aggregation[k],r=xs.length?mean(agg[0],agg[1],xs,ws):[null,0],value=r[0];
          if(value!==null&&D.availability[k]>0){var covered=r[1]*xs.length/D.expected[k];
            // the engine's coverage
            if(!(covered>=D.availability[k]-1e-12))value=null;}
          v[k]=value;}
      });
      out.push(v);}
    return out;
  }
  function ranks(values){  // competition ranks of values rounded to 9 decimals, 1 = highest
    var r=values.map(function(x){return x===null?null:Math.round(x*1e9)/1e9;});
    return r.map(function(x){if(x===null)return null;var k=1;r.forEach(function(y){if(y!==null&&y>x)k++;});
    return k;});
  }
  function level(k,x){var b=D.bands[k];if(!b||x===null)return '';var y=Math.round(x*1e9)/1e9;
  return y<b[0]?'low':(y<b[1]?'medium':'high');}
  function fmt(x){if(x===null)return '–';var s=x.toFixed(2);return D.decimalComma?s.replace('.',','):s;}
  function badge(td,lv){if(!lv)return;var s=document.createElement('span');s.className='level';
    s.style.background=D.levelColours[lv];s.textContent=D.levels[lv];
    td.appendChild(document.createTextNode(' '));td.appendChild(s);}
  function palette(xs){var ok=xs.filter(function(x){return x!==null;});
  var lo=ok.length?Math.min.apply(null,ok):0,
    hi=ok.length?Math.max.apply(null,ok):1,span=(hi-lo)||1,k=D.palette.length;
    return {lo:lo,hi:hi,
      colours:xs.map(function(x){
        return x===null?'#ccc':D.palette[Math.min(Math.floor((x-lo)/span*k),k-1)];})};}
  var state={},index={};D.units.forEach(function(u,i){index[u]=i;});
  var table=document.getElementById('ranking-table'),
    paths=Array.from(document.querySelectorAll('#map path.region'));
  var legends=D.nodes.map(function(node){var l=document.querySelector('.legend[data-layer="'+node+'"]');
  return l?Array.from(l.querySelectorAll('tr')):[];});
  function methodFile(){  // the chosen weights as a method file (shown and downloaded on demand)
    var weights={};D.codes.forEach(function(c,j){if(D.included[j])weights[c]=indW[j];});
    D.nodes.forEach(function(c,k){if(k<P-1)weights[c]=nodeW[k];});
    var text=JSON.stringify(Object.assign({},D.method,{weights:weights,profile:'custom'}),null,1);
    document.getElementById('weights-method').textContent=text;
    document.getElementById('weights-download').href='data:application/json;charset=utf-8,'+encodeURIComponent(text);
  }
  function refresh(){
    var t0=performance.now();
    var values=compute(),byNode=[],rk=[];
    for(var k=0;k<P;k++){byNode.push(values.map(function(v){return v[k];}));rk.push(ranks(byNode[k]));}
    var root=P-1;
    if(table){var body=table.tBodies[0],rows=Array.from(body.rows);
      rows.forEach(function(row){var i=index[row.getAttribute('data-unit')];if(i===undefined)return;
      var cells=row.cells;
        var r=rk[root][i];cells[0].textContent=r===null?'':String(r);
        cells[0].setAttribute('data-value',r===null?'':String(r));
        for(var s=0;s<P;s++){var k=D.shown[s],td=cells[2+s];td.textContent=fmt(values[i][k]);
        td.setAttribute('data-value',values[i][k]===null?'':String(values[i][k]));
        badge(td,level(k,values[i][k]));}
        var last=row.querySelector('td.root-level');  // only where the root has level bands
        if(last){last.textContent='';badge(last,level(root,values[i][root]));}});
      rows.sort(function(a,b){var x=rk[root][index[a.getAttribute('data-unit')]],
          y=rk[root][index[b.getAttribute('data-unit')]];
        if(x===null)x=1e9;if(y===null)y=1e9;
        return x-y||(a.getAttribute('data-unit')<b.getAttribute('data-unit')?-1:1);});
      rows.forEach(function(r){body.appendChild(r);});}
    var checked=document.querySelector('input[name=map-layer]:checked'),
      layer=checked?checked.value:D.nodes[root];
    for(var k=0;k<P;k++){var p=palette(byNode[k]);
      paths.forEach(function(path){var i=index[path.getAttribute('data-unit')];if(i===undefined)return;
        var x=byNode[k][i],lv=level(k,x);
        path.setAttribute('data-tip-'+D.nodes[k],
          D.names[i]+': '+D.nodeNames[k]+' '+fmt(x)+' ('+(lv?D.levels[lv]:'–')+'), '+
          D.rankWord+' '+(rk[k][i]===null?'':rk[k][i]));
        if(D.nodes[k]===layer)path.setAttribute('fill',p.colours[i]);});
      var step=(p.hi-p.lo)/D.palette.length;
      legends[k].forEach(function(tr,c){tr.cells[1].textContent=fmt(p.lo+c*step)+' – '+fmt(p.lo+(c+1)*step);
      });
    }
    state={values:values,ranks:rk};
    if(document.getElementById('weights-file').open)methodFile();
    var ms=performance.now()-t0;window.turaqtyWeightsMs=ms;
    document.getElementById('weights-status').textContent=ms.toFixed(1)+' ms';
  }
  var sliders=document.querySelectorAll('#weights input[type=range]');
  sliders.forEach(function(s){s.addEventListener('input',function(){
    var k=+s.getAttribute('data-k'),w=parseFloat(s.value);
    if(s.getAttribute('data-kind')==='node')nodeW[k]=w;else indW[k]=w;
    s.nextElementSibling.textContent=s.value;refresh();});});
  document.getElementById('weights-reset').addEventListener('click',function(){indW=D.indWeight.slice();
  nodeW=D.nodeWeight.slice();
    sliders.forEach(function(s){var k=+s.getAttribute('data-k'),
      w=s.getAttribute('data-kind')==='node'?nodeW[k]:indW[k];
      s.value=String(w);s.nextElementSibling.textContent=String(w);});refresh();});
  document.querySelectorAll('input[name=map-layer]').forEach(function(r){r.addEventListener('change',refresh);
  });
  document.getElementById('weights-file').addEventListener('toggle',methodFile);
  document.getElementById('weights-download').addEventListener('click',methodFile);
  window.turaqtyWeights={state:function(){return state;},set:function(kind,k,w){if(kind==='node')nodeW[k]=w;
  else indW[k]=w;refresh();}};
  refresh();methodFile();
})();
"""
