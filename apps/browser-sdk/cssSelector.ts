const MAX_DEPTH = 5;

const escapeIdent = (value: string): string =>
  typeof CSS !== 'undefined' && typeof CSS.escape === 'function' ? CSS.escape(value) : value.replace(/[^\w-]/g, '\\$&');

/**
 * A selector that survives re-renders: an id or a `data-testid`/`data-journey` attribute
 * anchors it; otherwise tag names with :nth-of-type up to a few ancestors. Class names are
 * left out on purpose — CSS-in-JS regenerates them on every build.
 */
export const cssSelector = (element: Element): string => {
  const parts: string[] = [];
  let current: Element | null = element;
  while (current !== null && parts.length < MAX_DEPTH && current.nodeType === 1) {
    if (current.id !== '') {
      parts.unshift(`#${escapeIdent(current.id)}`);
      break;
    }
    const tag = current.tagName.toLowerCase();
    const anchor = current.getAttribute('data-journey') ?? current.getAttribute('data-testid');
    if (anchor !== null) {
      const attribute = current.hasAttribute('data-journey') ? 'data-journey' : 'data-testid';
      parts.unshift(`${tag}[${attribute}="${anchor.replace(/"/g, '\\"')}"]`);
      break;
    }
    if (tag === 'html' || tag === 'body') {
      parts.unshift(tag);
      break;
    }
    const parent: Element | null = current.parentElement;
    const sameTag = parent === null ? [] : Array.from(parent.children).filter((c) => c.tagName === current?.tagName);
    parts.unshift(sameTag.length > 1 ? `${tag}:nth-of-type(${sameTag.indexOf(current) + 1})` : tag);
    current = parent;
  }
  return parts.join(' > ');
};

/** Visible text, whitespace collapsed, cut at `max` characters so a big link cannot bloat the event. */
export const elementText = (element: Element, max = 100): string => {
  const text = (element.textContent ?? '').replace(/\s+/g, ' ').trim();
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
};
