/** The page's only way to the server: GET an /api/v1 path and parse its JSON, or throw the API's own error message. */

/** An API answer that was not 2xx: `message` is the API's `error.message`, readable as it is. */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** GET `path` (starting with /api/v1) and return its JSON body. */
export async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(path, { headers: { accept: 'application/json' } });
  const body = (await response.json().catch(() => null)) as { error?: { code: string; message: string } } | null;
  if (!response.ok) throw new ApiRequestError(response.status, body?.error?.code ?? 'HTTP_ERROR', body?.error?.message ?? `${path}: HTTP ${response.status}`);
  return body as T;
}
