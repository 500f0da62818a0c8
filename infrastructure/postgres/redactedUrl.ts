/** A database URL fit for a log line or an error: the password replaced, everything else kept. */
export const redactedUrl = (url: string): string => {
  if (!URL.canParse(url)) return '(a URL that cannot be parsed)';
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
};
