// For the tests: parses an SVG with Python's XML parser (a real one, so "valid XML" means what it
// says) and returns what the charts are judged by: the bars, their values and every text.
import { execFileSync } from 'node:child_process';

export interface ParsedSvg {
  readonly root: string;
  readonly bars: Array<{ title: string; height: number }>;
  readonly values: string[];
  readonly groups: string[];
  readonly texts: string[];
  readonly references: number;
  readonly scripts: number;
}

const PARSER = `
import json, sys, xml.etree.ElementTree as ET
NS = '{http://www.w3.org/2000/svg}'
root = ET.fromstring(sys.stdin.read())
def cls(e, c): return e.get('class') == c
texts = [e for e in root.iter(NS + 'text')]
print(json.dumps({
  'root': root.tag,
  'bars': [{'title': e.find(NS + 'title').text, 'height': float(e.get('height'))} for e in root.iter(NS + 'rect') if cls(e, 'bar')],
  'values': [e.text for e in texts if cls(e, 'value')],
  'groups': [e.text for e in texts if cls(e, 'group')],
  'texts': [e.text for e in texts],
  'references': len([e for e in root.iter(NS + 'line') if cls(e, 'reference')]),
  'scripts': len(list(root.iter(NS + 'script'))) + len(list(root.iter(NS + 'style'))),
}))
`;

/** Throws with the parser's message if `svg` is not well-formed XML. */
export function parseSvg(svg: string): ParsedSvg {
  return JSON.parse(execFileSync('python3', ['-c', PARSER], { input: svg, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] })) as ParsedSvg;
}
