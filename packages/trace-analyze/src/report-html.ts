import type { AnalysisReport } from './report-schema';

/**
 * One self-contained HTML file (no network: inline CSS, inline script, SVG drawn in the page):
 * per endpoint a latency histogram, component bars, the worst trace as a waterfall with its critical
 * path highlighted, and the aggregated critical path as a flame graph.
 */
export function renderHtml(rep: AnalysisReport): string {
  // `<` escaped so span names can never close the script element.
  const data = JSON.stringify(rep).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>trace-analyze report</title>
<style>
body{font:14px/1.4 system-ui,-apple-system,Segoe UI,sans-serif;margin:24px;color:#1d232b;background:#fafbfc}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 6px;border-top:1px solid #d8dde3;padding-top:16px}
h3{font-size:13px;margin:14px 0 4px;color:#4a5562;text-transform:uppercase;letter-spacing:.04em}
.meta{color:#5d6875}.finding{background:#fff6e0;border-left:4px solid #e0a100;padding:8px 12px;margin:6px 0}
.finding.cascade{background:#ffe9e6;border-color:#d9412b}.stats span{margin-right:18px}
table{border-collapse:collapse;font-size:13px}td,th{padding:2px 10px 2px 0;text-align:right}td:first-child,th:first-child{text-align:left}
svg{display:block;background:#fff;border:1px solid #e3e7ec;margin:4px 0}svg text{font-size:11px;fill:#1d232b}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:16px}@media(max-width:1100px){.grid{grid-template-columns:1fr}}
</style></head><body>
<h1>Where the time goes in slow requests</h1>
<div id="head" class="meta"></div><div id="findings"></div><div id="endpoints"></div>
<script type="application/json" id="report">${data}</script>
<script>
(function(){
'use strict';
var rep=JSON.parse(document.getElementById('report').textContent);
var NS='http://www.w3.org/2000/svg';
var KIND_COLOR={server:'#4c78a8',internal:'#72b7b2',client:'#f58518',producer:'#b279a2',consumer:'#9d755d',db:'#54a24b',pool_wait:'#e45756',network:'#bab0ac',root:'#888'};
function el(tag,attrs,text,parent){var e=document.createElement(tag);for(var k in attrs)e.setAttribute(k,attrs[k]);if(text!=null)e.textContent=text;if(parent)parent.appendChild(e);return e;}
function sv(tag,attrs,parent,text){var e=document.createElementNS(NS,tag);for(var k in attrs)e.setAttribute(k,attrs[k]);if(text!=null)e.textContent=text;if(parent)parent.appendChild(e);return e;}
function ms(v){if(v==null||isNaN(v))return '–';if(v>=1000)return (v/1000).toFixed(2)+' s';if(v>=100)return v.toFixed(0)+' ms';if(v>=10)return v.toFixed(1)+' ms';return v.toFixed(2)+' ms';}
function pct(v){if(v==null||isNaN(v))return '–';var s=(v*100).toFixed(1);return (s==='-0.0'?'0.0':s)+'%';}
function color(kind){return KIND_COLOR[kind]||'#999';}
function svgBox(parent,w,h){return sv('svg',{width:w,height:h,viewBox:'0 0 '+w+' '+h,role:'img'},parent);}
function title(node,text){sv('title',{},node,text);}

var head=document.getElementById('head');
head.textContent=rep.traces+' traces, '+rep.spans+' spans, slow = above '+rep.slow_rule+(rep.time_range?' · '+rep.time_range.start+' → '+rep.time_range.end:'')+(rep.input.issue_count?' · '+rep.input.issue_count+' input problems':'');
var fd=document.getElementById('findings');
rep.findings.forEach(function(f){el('div',{'class':'finding '+f.type},f.summary,fd);});

function histogram(parent,ep){
  var h=ep.histogram,W=520,H=160,pad=28,n=h.counts.length;if(!n)return;
  var max=Math.max.apply(null,h.counts)||1,svg=svgBox(parent,W,H),bw=(W-2*pad)/n;
  var lo=h.bucket_ms[0],hi=h.bucket_ms[n];
  var span=Math.log(hi/lo)||1;
  function x(v){return pad+Math.min(1,Math.max(0,Math.log(Math.max(v,lo)/lo)/span))*(W-2*pad);}
  h.counts.forEach(function(c,i){var bh=(H-2*pad)*c/max;var slow=h.bucket_ms[i]>=ep.slow_threshold_ms;
    var r=sv('rect',{x:pad+i*bw,y:H-pad-bh,width:Math.max(bw-1,1),height:bh,fill:slow?'#e45756':'#4c78a8'},svg);title(r,ms(h.bucket_ms[i])+'–'+ms(h.bucket_ms[i+1])+': '+c);});
  [['p50',ep.p50_ms],['p95',ep.p95_ms],['p99',ep.p99_ms]].forEach(function(p){var xx=x(p[1]);sv('line',{x1:xx,x2:xx,y1:pad-6,y2:H-pad,stroke:'#333','stroke-dasharray':'3,2'},svg);sv('text',{x:xx+2,y:pad-8},svg,p[0]+' '+ms(p[1]));});
  sv('text',{x:pad,y:H-8},svg,ms(lo));sv('text',{x:W-pad,y:H-8,'text-anchor':'end'},svg,ms(hi));
}
function componentBars(parent,ep){
  var cs=ep.components.slice(0,10),W=520,row=20,H=cs.length*row+10,svg=svgBox(parent,W,H),lw=250;
  cs.forEach(function(c,i){var y=5+i*row,w=(W-lw-60)*Math.max(c.share,0);
    sv('text',{x:4,y:y+13},svg,c.component.length>40?c.component.slice(0,39)+'…':c.component);
    var r=sv('rect',{x:lw,y:y+3,width:Math.max(w,1),height:row-7,fill:color(c.kind)},svg);title(r,c.component+' · '+c.kind+' · share '+pct(c.share)+' · excess '+pct(c.excess_share)+' · mean '+ms(c.mean_ms));
    sv('text',{x:lw+w+4,y:y+13},svg,pct(c.share));});
}
function waterfall(parent,ep){
  var wt=ep.worst_trace;if(!wt)return;var spans=wt.spans.slice(0,300),row=16,W=1060,lw=330,H=spans.length*row+30;
  var crit={};wt.critical_path.forEach(function(s){crit[s.span_id]=true;});
  var end=Math.max(wt.duration_ms,Math.max.apply(null,spans.map(function(s){return s.offset_ms+s.duration_ms;})));
  var svg=svgBox(parent,W,H),sc=(W-lw-10)/(end||1);
  el('div',{'class':'meta'},'worst trace '+wt.trace_id+' · '+ms(wt.duration_ms)+' · critical path highlighted',parent);
  spans.forEach(function(s,i){var y=4+i*row;
    sv('text',{x:4+Math.min(s.depth,12)*10,y:y+11},svg,(s.service+': '+s.name).slice(0,44));
    var r=sv('rect',{x:lw+Math.max(s.offset_ms,0)*sc,y:y+2,width:Math.max(s.duration_ms*sc,1),height:row-5,fill:crit[s.span_id]?'#d9412b':'#b8c4d0',stroke:s.error?'#000':'none'},svg);
    title(r,s.service+': '+s.name+' · '+ms(s.duration_ms)+' at +'+ms(s.offset_ms)+(s.error?' · error':''));});
  wt.critical_path.forEach(function(s){var r=sv('rect',{x:lw+s.offset_ms*sc,y:H-18,width:Math.max(s.duration_ms*sc,1),height:12,fill:color(s.kind)},svg);title(r,s.component+' '+ms(s.duration_ms));});
  sv('text',{x:4,y:H-8},svg,'critical path by component');
}
function flame(parent,ep){
  var root=ep.flame;if(!root||!root.value_ms)return;var W=1060,row=18,depth=0;
  (function d(n,k){depth=Math.max(depth,k);n.children.forEach(function(c){d(c,k+1);});})(root,0);
  depth=Math.min(depth,30);var svg=svgBox(parent,W,(depth+1)*row+4),sc=W/root.value_ms;
  (function draw(n,x,k){if(k>depth)return;var w=n.value_ms*sc;if(w<0.5)return;
    var r=sv('rect',{x:x,y:2+k*row,width:Math.max(w-1,0.5),height:row-2,fill:color(n.kind)},svg);title(r,n.name+' · '+ms(n.value_ms)+' per trace');
    if(w>60)sv('text',{x:x+3,y:2+k*row+13},svg,n.name.slice(0,Math.floor(w/6.5)));
    var cx=x;n.children.forEach(function(c){draw(c,cx,k+1);cx+=c.value_ms*sc;});})(root,0,0);
}
var host=document.getElementById('endpoints');
rep.endpoints.forEach(function(ep){
  var sec=el('section',{},null,host);el('h2',{},ep.name+(ep.origin==='async'?' (async)':''),sec);
  var st=el('div',{'class':'stats'},null,sec);
  [['traces',ep.count],['p50',ms(ep.p50_ms)],['p95',ms(ep.p95_ms)],['p99',ms(ep.p99_ms)],['max',ms(ep.max_ms)],['slow',ep.slow_count+' > '+ms(ep.slow_threshold_ms)],['errors',pct(ep.error_rate)]].forEach(function(p){el('span',{},p[0]+' '+p[1],st);});
  var g=el('div',{'class':'grid'},null,sec);var a=el('div',{},null,g),b=el('div',{},null,g);
  el('h3',{},'latency histogram (red = slow set)',a);histogram(a,ep);
  el('h3',{},'share of '+(ep.components_basis==='slow'?'slow-trace':'')+' latency by component',b);componentBars(b,ep);
  var t=el('table',{},null,sec),hr=el('tr',{},null,t);['component','kind','share','excess share','mean','baseline'].forEach(function(h){el('th',{},h,hr);});
  ep.components.slice(0,12).forEach(function(c){var r=el('tr',{},null,t);[c.component,c.kind,pct(c.share),pct(c.excess_share),ms(c.mean_ms),ms(c.baseline_mean_ms)].forEach(function(v){el('td',{},v,r);});});
  el('h3',{},'worst trace',sec);waterfall(sec,ep);
  el('h3',{},'aggregated critical path (flame graph, mean per '+(ep.components_basis==='slow'?'slow ':'')+'trace)',sec);flame(sec,ep);
});
if(!rep.endpoints.length)el('p',{},'No complete traces to analyse.',host);
})();
</script></body></html>
`;
}
