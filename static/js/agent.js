// A user agent string summed up for the list of sign-ins ("Chrome on Linux").

/** "Chrome on Linux" from a user agent string, or a shortened agent when nothing is recognised. */
export function summarizeAgent(ua) {
  if (!ua) return "Unknown device";
  const browser =
    [
      [/Edg\//, "Edge"],
      [/OPR\//, "Opera"],
      [/HeadlessChrome\//, "Headless Chrome"],
      [/Chrom(e|ium)\//, "Chrome"],
      [/Firefox\//, "Firefox"],
      [/Safari\//, "Safari"],
      [/^curl\//, "curl"],
      [/python-requests|python-httpx|aiohttp/i, "a Python client"],
    ].find(([re]) => re.test(ua))?.[1] || null;
  const os =
    [
      [/Android/, "Android"],
      [/iPhone|iPad/, "iOS"],
      [/Windows/, "Windows"],
      [/Mac OS X|Macintosh/, "macOS"],
      [/Linux|X11/, "Linux"],
    ].find(([re]) => re.test(ua))?.[1] || null;
  if (browser && os) return `${browser} on ${os}`;
  return browser || os || (ua.length > 40 ? `${ua.slice(0, 40)}…` : ua);
}
