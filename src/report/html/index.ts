// The one-file HTML report for people. Rooms: page.ts (the document and its sections), svg.ts (the
// topology drawing: geometry, boxes, legend), palette.ts (VLAN colours), escape.ts, style.ts.
export {documentHead, renderFinding, renderHtml} from './page.js';
export {renderTopologySvg} from './svg.js';
export {vlanColors, type VlanColor} from './palette.js';
export {esc, idPart} from './escape.js';
