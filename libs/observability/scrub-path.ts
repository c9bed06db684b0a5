/**
 * A URL path fit for logs, traces and metric labels: no query string (it can name people, e.g.
 * `?to=`, `?employee=`), and no segment that could be an email address or a link token.
 */
export function scrubPath(url: string | undefined): string {
  const path = (url ?? '/').split(/[?#]/)[0] || '/';
  return path
    .split('/')
    .map((segment) => (segment.includes('@') || segment.includes('%40') || segment.length > 40 ? ':redacted' : segment))
    .join('/');
}
