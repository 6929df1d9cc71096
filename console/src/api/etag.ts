// Conditional requests: a GET that answered with an ETag is asked again with If-None-Match, and a 304
// is turned back into the stored body, so polls cost the server (and the network) next to nothing.

interface Entry {
  etag: string;
  body: ArrayBuffer;
  headers: [string, string][];
}

const MAX_ENTRIES = 64;

export class EtagCache {
  private entries = new Map<string, Entry>();
  hits = 0;

  prepare(request: Request): Request {
    if (request.method !== "GET") return request;
    const entry = this.entries.get(request.url);
    if (!entry || request.headers.has("If-None-Match")) return request;
    const headers = new Headers(request.headers);
    headers.set("If-None-Match", entry.etag);
    return new Request(request, { headers });
  }

  async settle(request: Request, response: Response): Promise<Response> {
    if (request.method !== "GET") return response;
    if (response.status === 304) {
      const entry = this.entries.get(request.url);
      if (!entry) return response;
      this.hits += 1;
      // refresh recency
      this.entries.delete(request.url);
      this.entries.set(request.url, entry);
      return new Response(entry.body.slice(0), { status: 200, statusText: "OK (revalidated)", headers: entry.headers });
    }
    const etag = response.headers.get("ETag");
    if (response.ok && etag) {
      const body = await response.clone().arrayBuffer();
      const headers: [string, string][] = [];
      response.headers.forEach((value, key) => {
        if (key !== "content-encoding" && key !== "content-length") headers.push([key, value]);
      });
      this.entries.delete(request.url);
      this.entries.set(request.url, { etag, body, headers });
      while (this.entries.size > MAX_ENTRIES) {
        const oldest = this.entries.keys().next().value;
        if (oldest === undefined) break;
        this.entries.delete(oldest);
      }
    }
    return response;
  }

  get size(): number {
    return this.entries.size;
  }
}
