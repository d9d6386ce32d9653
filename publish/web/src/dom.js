// Building DOM from untrusted text: only createElement, textContent and
// setAttribute on a fixed set of attribute names. Never an HTML string.

const SVG_NS = 'http://www.w3.org/2000/svg';
const EVENT_ATTR = /^on/i;

function apply(node, attrs) {
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value == null || value === false) continue;
    if (EVENT_ATTR.test(key)) throw new Error(`event attribute ${key} not allowed`);
    if (key === 'class') node.setAttribute('class', value);
    else if (key === 'text') node.textContent = String(value);
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  return node;
}

function append(node, children) {
  for (const child of children.flat(2)) {
    if (child == null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** el('p', {class: 'x'}, 'text', otherNode): strings become text nodes. */
export function el(tag, attrs, ...children) {
  return append(apply(document.createElement(tag), attrs), children);
}

export function svg(tag, attrs, ...children) {
  return append(apply(document.createElementNS(SVG_NS, tag), attrs), children);
}

export function clear(node) {
  node.replaceChildren();
  return node;
}

export function byId(id) {
  return document.getElementById(id);
}
