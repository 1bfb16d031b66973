// Small readers for values Fedify's getters return in more than one shape.
import { Link } from '@fedify/vocab';

/** The address in a `url`-like value: a URL, or a Link's href (PeerTube and others send Links). */
export function hrefOf(value: URL | Link | null): string | null {
  if (value instanceof URL) return value.href;
  return value instanceof Link ? (value.href?.href ?? null) : null;
}

/** A string or LanguageString as text; null when absent or blank. */
export function textOrNull(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const text = String(value);
  return text.trim() === '' ? null : text;
}
